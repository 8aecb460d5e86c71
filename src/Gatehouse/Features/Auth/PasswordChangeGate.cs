using Gatehouse.Infrastructure;
using Microsoft.AspNetCore.Authorization;

namespace Gatehouse.Features.Auth;

/// <summary>Marks the few endpoints a user who must change their password may still reach: who am I, change it, sign out.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class AllowedBeforePasswordChange : Attribute;

/// <summary>
/// A user whose password was not chosen by them (the generated admin password) can do nothing but change it: every
/// endpoint that needs a signed-in user answers 403 <c>password_change_required</c>, and console pages lead to the
/// change-password page. Changing it ends the session; the next sign-in carries no such mark.
/// </summary>
public static class PasswordChangeGate
{
    public const string ConsolePage = "/console/password";

    public static IApplicationBuilder UsePasswordChangeGate(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var endpoint = context.GetEndpoint();
        if (context.User.HasClaim(c => c.Type == UserPrincipal.PasswordChangeRequired)
            && endpoint?.Metadata.GetMetadata<IAuthorizeData>() is not null
            && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null
            && endpoint.Metadata.GetMetadata<AllowedBeforePasswordChange>() is null)
        {
            if (context.Request.Path.StartsWithSegments("/api"))
            {
                await Problems.WriteAsync(context, 403,
                    "Change your password first (POST /api/auth/password with currentPassword and newPassword); then sign in again.",
                    "password_change_required");
                return;
            }
            context.Response.Redirect(ConsolePage);
            return;
        }
        await next();
    });

    public static TBuilder AllowBeforePasswordChange<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AllowedBeforePasswordChange());
}
