using Gatehouse.Core.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Auth;

public sealed record TokenRequest(string? Username, string? Password);

public sealed record TokenResponse(string Token, DateTimeOffset ExpiresAt, string Username, string Role);

public sealed record MeResponse(int Id, string Username, string Role, IReadOnlyList<string> Sites);

public static partial class AuthApi
{
    public static void MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Auth");
        group.MapPost("/token", IssueToken).AllowAnonymous();
        group.MapGet("/me", Me).RequireAuthorization();
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueToken(
        TokenRequest request, GatehouseDb db, IPasswordHasher<User> hasher, TimeProvider time,
        IOptions<GatehouseOptions> options, ILogger<TokenRequest> logger, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Username) || string.IsNullOrEmpty(request.Password))
        {
            return Problems.BadRequest("credentials_required", "Both 'username' and 'password' are required.");
        }
        var normalized = Normalize.Name(request.Username);
        var user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedUsername == normalized, cancellationToken);
        // Verify against a fixed hash when the user does not exist, so timing does not tell who exists.
        var verification = hasher.VerifyHashedPassword(user ?? DummyUser, user?.PasswordHash ?? DummyHash, request.Password);
        if (user is null || !user.Enabled || verification == PasswordVerificationResult.Failed)
        {
            LogLoginFailed(logger, request.Username.Length > 100 ? request.Username[..100] : request.Username,
                user is null ? "unknown user" : !user.Enabled ? "user disabled" : "wrong password");
            return Problems.Create(401, "invalid_credentials", "The username or password is not correct.");
        }
        if (verification == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = hasher.HashPassword(user, request.Password);
        }
        var token = WebhookSecrets.NewSessionToken();
        var now = time.GetUtcNow();
        var expires = now.AddMinutes(options.Value.Auth.TokenLifetimeMinutes);
        db.SessionTokens.Add(new SessionToken { TokenHash = WebhookSecrets.Hash(token), UserId = user.Id, CreatedAt = now, ExpiresAt = expires });
        await db.SessionTokens.Where(t => t.UserId == user.Id && t.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new TokenResponse(token, expires, user.Username, user.Role.ToString()));
    }

    private static async Task<Ok<MeResponse>> Me(CurrentUser current, GatehouseDb db, CancellationToken cancellationToken)
    {
        var siteIds = await current.SiteIdsAsync(cancellationToken);
        var sites = await db.Sites.Where(s => siteIds.Contains(s.Id)).OrderBy(s => s.Name).Select(s => s.Name).ToListAsync(cancellationToken);
        return TypedResults.Ok(new MeResponse(current.Id, current.Username, current.IsAdministrator ? "Administrator" : "Analyst", sites));
    }

    private static readonly User DummyUser = new() { Username = "", NormalizedUsername = "", PasswordHash = "" };

    private static readonly string DummyHash = new PasswordHasher<User>().HashPassword(DummyUser, WebhookSecrets.RandomToken(16));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Login failed for '{Username}': {Reason}")]
    private static partial void LogLoginFailed(ILogger logger, string username, string reason);
}
