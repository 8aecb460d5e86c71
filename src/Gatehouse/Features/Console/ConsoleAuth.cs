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

    public static ClaimsPrincipal Principal(User user) => UserPrincipal.For(user.Id, user.Username, user.Role, Scheme);

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

    /// <summary>A user disabled, or whose role changed, since signing in loses the session at the next request.</summary>
    private static async Task ValidateStillAllowedAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        if (!int.TryParse(principal?.FindFirstValue(ClaimTypes.NameIdentifier), CultureInfo.InvariantCulture, out var id))
        {
            context.RejectPrincipal();
            return;
        }
        var db = context.HttpContext.RequestServices.GetRequiredService<GatehouseDb>();
        var user = await db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => new { u.Enabled, u.Role }).FirstOrDefaultAsync(context.HttpContext.RequestAborted);
        if (user is null || !user.Enabled || !principal!.IsInRole(user.Role.ToString()))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
