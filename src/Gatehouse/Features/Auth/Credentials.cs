using Gatehouse.Core.Auth;
using Gatehouse.Features.Audit;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Auth;

/// <summary>A sign-in: the user, or null; when throttled, how long the caller must wait before trying again.</summary>
public sealed record SignInOutcome(User? User, TimeSpan? RetryAfter = null);

/// <summary>Username and password checks, shared by the API's token endpoint and the console's login.</summary>
public sealed partial class Credentials(
    GatehouseDb db, IPasswordHasher<User> hasher, AuditLog audit, SignInGuard guard, IHttpContextAccessor accessor, ClientAddresses addresses, ILogger<Credentials> logger)
{
    /// <summary>
    /// The enabled user these credentials belong to, or null. Both outcomes are audited with where
    /// the sign-in came from (<paramref name="channel"/>: console or API); failures as aggregated rows.
    /// Past the free failures of the user or of the source address, attempts are refused unchecked
    /// until the back-off has passed. The reason for a refusal goes to the audit log and the server
    /// log, never to the caller. Passwords are never recorded.
    /// </summary>
    public async Task<SignInOutcome> SignInAsync(string? username, string? password, string channel, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(password))
        {
            return new SignInOutcome(null);
        }
        var source = accessor.HttpContext is { } context ? addresses.Of(context)?.ToString() : null;
        var normalized = Normalize.Name(username);
        var user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedUsername == normalized, cancellationToken);
        // What was typed as a username is kept only when it names a user: people type passwords there.
        var actor = user?.Username ?? "(unknown user)";
        if (await guard.RetryAfterAsync(user?.Id, source, cancellationToken) is { } wait)
        {
            LogLoginFailed(logger, actor, SignInGuard.Throttled);
            await guard.RecordFailureAsync(user?.Id, actor, channel, SignInGuard.Throttled, source, cancellationToken);
            return new SignInOutcome(null, wait);
        }
        // Verify against a fixed hash when the user does not exist, so timing does not tell who exists.
        var verification = hasher.VerifyHashedPassword(user ?? DummyUser, user?.PasswordHash ?? DummyHash, password);
        if (user is null || !user.Enabled || verification == PasswordVerificationResult.Failed)
        {
            var reason = user is null ? "unknown user" : !user.Enabled ? "user disabled" : "wrong password";
            LogLoginFailed(logger, actor, reason);
            await guard.RecordFailureAsync(user?.Id, actor, channel, reason, source, cancellationToken);
            return new SignInOutcome(null);
        }
        if (verification == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = hasher.HashPassword(user, password);
        }
        audit.RecordFor(AuditActions.SignedIn, user.Id, user.Username, channel, null);
        await db.SaveChangesAsync(cancellationToken);
        return new SignInOutcome(user);
    }

    private static readonly User DummyUser = new() { Username = "", NormalizedUsername = "", PasswordHash = "" };

    private static readonly string DummyHash = new PasswordHasher<User>().HashPassword(DummyUser, WebhookSecrets.RandomToken(16));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Login failed for '{Username}': {Reason}")]
    private static partial void LogLoginFailed(ILogger logger, string username, string reason);
}
