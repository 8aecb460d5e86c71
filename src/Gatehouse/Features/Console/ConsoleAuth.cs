using System.Globalization;
using System.Security.Claims;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Console;

/// <summary>
/// The console signs in with a cookie; the admin API takes a bearer token or that cookie, so the
/// console's own calls meet exactly the roles and site checks API clients meet. A cookie-borne
/// API call that changes something must carry the antiforgery token (CSRF).
/// </summary>
public static class ConsoleAuth
{
    public const string Scheme = "Console";
    public const string Policy = "Console";
    public const string BearerOrCookie = "BearerOrCookie";
    public const string CookieName = "gatehouse.console";
    public const string CsrfHeader = "X-CSRF-Token";

    public static AuthenticationBuilder AddGatehouseAuthentication(this IServiceCollection services)
    {
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.HeaderName = CsrfHeader;
            antiforgery.Cookie.Name = "gatehouse.csrf";
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
        });
        services.AddOptions<CookieAuthenticationOptions>(Scheme).Configure<IOptions<GatehouseOptions>>(
            (cookie, gatehouse) => cookie.ExpireTimeSpan = TimeSpan.FromMinutes(gatehouse.Value.Auth.TokenLifetimeMinutes));
        return services.AddAuthentication(BearerOrCookie)
            .AddPolicyScheme(BearerOrCookie, "Bearer token or console cookie", policy => policy.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count == 0 && context.Request.Cookies.ContainsKey(CookieName)
                    ? Scheme
                    : BearerTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null)
            .AddCookie(Scheme, cookie =>
            {
                cookie.Cookie.Name = CookieName;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.SlidingExpiration = true;
                cookie.LoginPath = "/console/login";
                cookie.LogoutPath = "/console/logout";
                cookie.AccessDeniedPath = "/console/denied";
                cookie.Events.OnRedirectToLogin = context => IsApi(context.Request)
                    ? Problems.WriteAsync(context.HttpContext, 401, "Authentication required: sign in again.")
                    : Redirect(context);
                cookie.Events.OnRedirectToAccessDenied = context => IsApi(context.Request)
                    ? Problems.WriteAsync(context.HttpContext, 403, "Your role does not allow this operation.")
                    : Redirect(context);
                cookie.Events.OnValidatePrincipal = ValidateStillAllowedAsync;
            });
    }

    public static void AddConsolePolicy(this Microsoft.AspNetCore.Authorization.AuthorizationBuilder builder) =>
        builder.AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());

    /// <summary>The cookie's principal: the user and the session it belongs to, checked on every request.</summary>
    public static ClaimsPrincipal Principal(User user, string session)
    {
        var principal = UserPrincipal.For(user.Id, user.Username, user.Role, Scheme, user.MustChangePassword);
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(Sessions.SessionClaim, session));
        return principal;
    }

    /// <summary>Refuses a cookie-authenticated API call that changes state without the antiforgery token.</summary>
    public static IApplicationBuilder UseConsoleCsrfCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (context.User.Identity is { IsAuthenticated: true, AuthenticationType: Scheme }
            && IsApi(request)
            && !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)))
        {
            var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                await Problems.WriteAsync(context, 400, $"The request lacks a valid antiforgery token (header {CsrfHeader}); reload the page.", "csrf_token_invalid");
                return;
            }
        }
        await next();
    });

    /// <summary>
    /// A cookie whose session was ended (signed out on any node), whose user was disabled, or whose
    /// role changed since signing in, is refused at the next request.
    /// </summary>
    private static async Task ValidateStillAllowedAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var session = principal?.FindFirstValue(Sessions.SessionClaim);
        if (!int.TryParse(principal?.FindFirstValue(ClaimTypes.NameIdentifier), CultureInfo.InvariantCulture, out var id) || session is null)
        {
            context.RejectPrincipal();
            return;
        }
        var sessions = context.HttpContext.RequestServices.GetRequiredService<Sessions>();
        var user = await sessions.UserAsync(session, context.HttpContext.RequestAborted);
        if (user is null || user.Id != id || !principal!.IsInRole(user.Role.ToString())
            || user.MustChangePassword != principal.HasClaim(c => c.Type == UserPrincipal.PasswordChangeRequired))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    /// <summary>Redirects by path only: the absolute URI the framework builds comes from the request's Host header.</summary>
    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        var target = new Uri(context.RedirectUri, UriKind.RelativeOrAbsolute);
        context.Response.Redirect(target.IsAbsoluteUri ? target.PathAndQuery : context.RedirectUri);
        return Task.CompletedTask;
    }
}
