using Gatehouse.Core.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Auth;

/// <summary>Username and password checks, shared by the API's token endpoint and the console's login.</summary>
public sealed partial class Credentials(GatehouseDb db, IPasswordHasher<User> hasher, ILogger<Credentials> logger)
{
    /// <summary>The enabled user these credentials belong to, or null; the reason for a refusal goes to the log only.</summary>
    public async Task<User?> VerifyAsync(string? username, string? password, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(password))
        {
            return null;
        }
        var normalized = Normalize.Name(username);
        var user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedUsername == normalized, cancellationToken);
        // Verify against a fixed hash when the user does not exist, so timing does not tell who exists.
        var verification = hasher.VerifyHashedPassword(user ?? DummyUser, user?.PasswordHash ?? DummyHash, password);
        if (user is null || !user.Enabled || verification == PasswordVerificationResult.Failed)
        {
            LogLoginFailed(logger, username.Length > 100 ? username[..100] : username,
                user is null ? "unknown user" : !user.Enabled ? "user disabled" : "wrong password");
            return null;
        }
        if (verification == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = hasher.HashPassword(user, password);
            await db.SaveChangesAsync(cancellationToken);
        }
        return user;
    }

    private static readonly User DummyUser = new() { Username = "", NormalizedUsername = "", PasswordHash = "" };

    private static readonly string DummyHash = new PasswordHasher<User>().HashPassword(DummyUser, WebhookSecrets.RandomToken(16));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Login failed for '{Username}': {Reason}")]
    private static partial void LogLoginFailed(ILogger logger, string username, string reason);
}
