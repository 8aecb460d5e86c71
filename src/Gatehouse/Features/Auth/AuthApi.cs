using System.ComponentModel.DataAnnotations;
using Gatehouse.Core.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Auth;

public sealed record TokenRequest([property: Required] string? Username, [property: Required] string? Password);

public sealed record TokenResponse(string Token, DateTimeOffset ExpiresAt, string Username, string Role, bool MustChangePassword);

public sealed record MeResponse(int Id, string Username, string Role, IReadOnlyList<string> Sites, bool MustChangePassword);

public static class AuthApi
{
    public static void MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Auth");
        group.MapPost("/token", IssueToken).AllowAnonymous().WithName("SignIn").WithSummary("Sign in: a bearer token for the admin API.");
        group.MapGet("/me", Me).RequireAuthorization().AllowBeforePasswordChange().WithName("GetCurrentUser").WithSummary("Who you are: role, sites, whether you must change your password.");
        group.MapPost("/logout", Logout).RequireAuthorization().AllowBeforePasswordChange().WithName("SignOut").WithSummary("End this session on every node.");
    }

    internal static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueToken(
        TokenRequest request, Credentials credentials, Sessions sessions, HttpContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Username) || string.IsNullOrEmpty(request.Password))
        {
            var missing = new[] { ("username", request.Username), ("password", request.Password) }
                .Where(m => string.IsNullOrEmpty(m.Item2)).Select(m => $"'{m.Item1}' is required.").ToList();
            return Problems.Create(400, "credentials_required", "Both 'username' and 'password' are required.",
                new Dictionary<string, object?> { ["errors"] = Violations.From(missing) });
        }
        var outcome = await credentials.SignInAsync(request.Username, request.Password, "api", cancellationToken);
        if (outcome.RetryAfter is { } wait)
        {
            return Problems.TooManySignIns(context, wait);
        }
        if (outcome.User is not { } user)
        {
            return Problems.Create(401, "invalid_credentials", "The username or password is not correct.");
        }
        var (token, expires) = await sessions.StartAsync(user, cancellationToken);
        return TypedResults.Ok(new TokenResponse(token, expires, user.Username, user.Role.ToString(), user.MustChangePassword));
    }

    /// <summary>Ends the bearer token (or console session) this request was made with, on every node.</summary>
    internal static async Task<NoContent> Logout(HttpContext context, Sessions sessions, CancellationToken cancellationToken)
    {
        string? header = context.Request.Headers.Authorization;
        var token = header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? header["Bearer ".Length..].Trim()
            : context.User.FindFirst(Sessions.SessionClaim)?.Value;
        if (token is not null)
        {
            await sessions.EndAsync(token, cancellationToken);
        }
        if (context.User.Identity?.AuthenticationType == Console.ConsoleAuth.Scheme)
        {
            await Microsoft.AspNetCore.Authentication.AuthenticationHttpContextExtensions.SignOutAsync(context, Console.ConsoleAuth.Scheme);
        }
        return TypedResults.NoContent();
    }

    internal static async Task<Ok<MeResponse>> Me(CurrentUser current, GatehouseDb db, CancellationToken cancellationToken)
    {
        var siteIds = await current.SiteIdsAsync(cancellationToken);
        var sites = await db.Sites.Where(s => siteIds.Contains(s.Id)).OrderBy(s => s.Name).Select(s => s.Name).ToListAsync(cancellationToken);
        return TypedResults.Ok(new MeResponse(current.Id, current.Username, current.IsAdministrator ? "Administrator" : "Analyst", sites,
            current.MustChangePassword));
    }
}
