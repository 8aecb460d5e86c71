using Gatehouse.Core.Auth;
using Gatehouse.Features.Audit;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Auth;

/// <summary>
/// Sign-in throttling read from the audit log, so every node sees the same failures: failed
/// sign-ins are written as one aggregated row per user, source, channel, reason and minute, and
/// the back-off counts them per user since that user's last success, and per source address over the
/// last hour (a success does not reset a source).
/// </summary>
public sealed class SignInGuard(GatehouseDb db, TimeProvider time, IOptions<GatehouseOptions> options)
{
    /// <summary>Failures older than this are forgotten.</summary>
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);

    public const string Throttled = "throttled";

    /// <summary>How long this attempt must wait, or null when it may be checked now.</summary>
    public async Task<TimeSpan?> RetryAfterAsync(int? userId, string? source, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var auth = options.Value.Auth;
        var maxDelay = TimeSpan.FromSeconds(auth.MaxSignInDelaySeconds);
        TimeSpan? byUser = null, bySource = null;
        if (userId is { } id)
        {
            var history = await HistoryAsync(a => a.ActorUserId == id, now, resetBySuccess: true, cancellationToken);
            byUser = SignInThrottle.RetryAfter(history, new SignInThrottlePolicy(auth.FreeFailuresPerUser, maxDelay), now);
        }
        if (source is not null)
        {
            // A success from the source does not reset its count: an attacker could sign in to an account of their own between guesses.
            var history = await HistoryAsync(a => a.SourceAddress == source, now, resetBySuccess: false, cancellationToken);
            bySource = SignInThrottle.RetryAfter(history, new SignInThrottlePolicy(auth.FreeFailuresPerSource, maxDelay), now);
        }
        return SignInThrottle.Longest(byUser, bySource);
    }

    /// <summary>Adds a failure (or a throttled attempt) to its row of this minute; saved at once, outside the caller's unit of work.</summary>
    public async Task RecordFailureAsync(int? userId, string actor, string channel, string reason, string? source, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var minute = now.ToUnixTimeSeconds() / 60;
        var aggregateKey = $"signin|{userId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? actor}|{source}|{channel}|{reason}|{minute}";
        await AuditAggregates.AddAsync(db, aggregateKey, 1, now, () => new AuditEntry
        {
            At = now, Action = AuditActions.SignInFailed, ActorUserId = userId, Actor = actor, Target = channel, Reason = reason, SourceAddress = source,
        }, cancellationToken);
    }

    private async Task<FailureHistory> HistoryAsync(
        System.Linq.Expressions.Expression<Func<AuditEntry, bool>> whose, DateTimeOffset now, bool resetBySuccess, CancellationToken cancellationToken)
    {
        var since = now - Window;
        var lastSuccess = !resetBySuccess ? null : await db.AuditEntries.AsNoTracking().Where(a => a.Action == AuditActions.SignedIn && a.At > since).Where(whose)
            .OrderByDescending(a => a.At).Select(a => (DateTimeOffset?)a.At).FirstOrDefaultAsync(cancellationToken);
        var from = lastSuccess ?? since;
        var rows = await db.AuditEntries.AsNoTracking()
            .Where(a => a.Action == AuditActions.SignInFailed && a.Reason != Throttled && a.LastAt > from).Where(whose)
            .OrderByDescending(a => a.LastAt).Take(1000).Select(a => new { a.Count, a.LastAt }).ToListAsync(cancellationToken);
        return rows.Count == 0 ? new FailureHistory(0, null) : new FailureHistory(rows.Sum(r => (long)r.Count), rows[0].LastAt);
    }
}
