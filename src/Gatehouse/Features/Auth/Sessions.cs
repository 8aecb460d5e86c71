using Gatehouse.Core.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Auth;

/// <summary>
/// Sign-in sessions, for bearer tokens and console cookies alike: a random value the client holds
/// and the database knows by hash. Every request checks the row, so signing out (or disabling the
/// user) ends the session on every node at once.
/// </summary>
public sealed class Sessions(GatehouseDb db, TimeProvider time, IOptions<GatehouseOptions> options)
{
    /// <summary>The claim of a console cookie that names its session.</summary>
    public const string SessionClaim = "gatehouse:session";

    public async Task<(string Token, DateTimeOffset ExpiresAt)> StartAsync(User user, CancellationToken cancellationToken)
    {
        var token = WebhookSecrets.NewSessionToken();
        var now = time.GetUtcNow();
        var expires = now.AddMinutes(options.Value.Auth.TokenLifetimeMinutes);
        db.SessionTokens.Add(new SessionToken { TokenHash = WebhookSecrets.Hash(token), UserId = user.Id, CreatedAt = now, ExpiresAt = expires });
        await db.SessionTokens.Where(t => t.UserId == user.Id && t.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return (token, expires);
    }

    public Task EndAsync(string token, CancellationToken cancellationToken)
    {
        var hash = WebhookSecrets.Hash(token);
        return db.SessionTokens.Where(t => t.TokenHash == hash).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>The live session's user (enabled), or null.</summary>
    public Task<SessionUser?> UserAsync(string token, CancellationToken cancellationToken)
    {
        if (token.Length is 0 or > 200)
        {
            return Task.FromResult<SessionUser?>(null);
        }
        var hash = WebhookSecrets.Hash(token);
        var now = time.GetUtcNow();
        return db.SessionTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash && t.ExpiresAt > now && t.User!.Enabled)
            .Select(t => new SessionUser(t.User!.Id, t.User.Username, t.User.Role, t.User.MustChangePassword))
            .FirstOrDefaultAsync(cancellationToken);
    }
}

public sealed record SessionUser(int Id, string Username, UserRole Role, bool MustChangePassword);
