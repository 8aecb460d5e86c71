using Gatehouse.Core.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Auth;

public sealed record TokenRequest(string? Username, string? Password);

public sealed record TokenResponse(string Token, DateTimeOffset ExpiresAt, string Username, string Role);

public sealed record MeResponse(int Id, string Username, string Role, IReadOnlyList<string> Sites);

public static class AuthApi
{
    public static void MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Auth");
        group.MapPost("/token", IssueToken).AllowAnonymous();
        group.MapGet("/me", Me).RequireAuthorization();
    }

    internal static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueToken(
        TokenRequest request, GatehouseDb db, Credentials credentials, TimeProvider time,
        IOptions<GatehouseOptions> options, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Username) || string.IsNullOrEmpty(request.Password))
        {
            return Problems.BadRequest("credentials_required", "Both 'username' and 'password' are required.");
        }
        if (await credentials.VerifyAsync(request.Username, request.Password, "api", cancellationToken) is not { } user)
        {
            return Problems.Create(401, "invalid_credentials", "The username or password is not correct.");
        }
        var token = WebhookSecrets.NewSessionToken();
        var now = time.GetUtcNow();
        var expires = now.AddMinutes(options.Value.Auth.TokenLifetimeMinutes);
        db.SessionTokens.Add(new SessionToken { TokenHash = WebhookSecrets.Hash(token), UserId = user.Id, CreatedAt = now, ExpiresAt = expires });
        await db.SessionTokens.Where(t => t.UserId == user.Id && t.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new TokenResponse(token, expires, user.Username, user.Role.ToString()));
    }

    internal static async Task<Ok<MeResponse>> Me(CurrentUser current, GatehouseDb db, CancellationToken cancellationToken)
    {
        var siteIds = await current.SiteIdsAsync(cancellationToken);
        var sites = await db.Sites.Where(s => siteIds.Contains(s.Id)).OrderBy(s => s.Name).Select(s => s.Name).ToListAsync(cancellationToken);
        return TypedResults.Ok(new MeResponse(current.Id, current.Username, current.IsAdministrator ? "Administrator" : "Analyst", sites));
    }
}
