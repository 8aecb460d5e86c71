using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Gatehouse.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Intake;

/// <summary>
/// A token bucket per key, held by each node on its own: behind a load balancer with N nodes a
/// key can reach N times its rate. Refilled every 100 ms so a burst recovers smoothly.
/// </summary>
public sealed class KeyRateLimiter(IOptions<GatehouseOptions> options) : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);
    private readonly ConcurrentDictionary<int, TokenBucketRateLimiter> _buckets = new();

    /// <summary>Null when the request may go ahead, else how long to wait.</summary>
    public TimeSpan? TryAcquire(int keyId)
    {
        var bucket = _buckets.GetOrAdd(keyId, _ => NewBucket());
        using var lease = bucket.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return null;
        }
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
    }

    private TokenBucketRateLimiter NewBucket()
    {
        var webhooks = options.Value.Webhooks;
        var perPeriod = Math.Max(1, (int)Math.Round(webhooks.RateLimitPerSecond * Period.TotalSeconds));
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = webhooks.RateLimitBurst,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(perPeriod / (double)webhooks.RateLimitPerSecond),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    public void Dispose()
    {
        foreach (var bucket in _buckets.Values)
        {
            bucket.Dispose();
        }
    }
}
