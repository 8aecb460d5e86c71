using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Gatehouse.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Webhooks;

/// <summary>
/// A token bucket per key, held by each node on its own: behind a load balancer with N nodes a
/// key can reach N times its rate. Refilled every 100 ms so a burst recovers smoothly.
/// </summary>
public sealed class KeyRateLimiter(IOptions<GatehouseOptions> options) : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);
    private readonly ConcurrentDictionary<int, (int Rate, TokenBucketRateLimiter Bucket)> _buckets = new();

    /// <summary>Null when the request may go ahead, else how long to wait. A key's own rate, when set, replaces the default.</summary>
    public TimeSpan? TryAcquire(int keyId, int? keyRate)
    {
        var webhooks = options.Value.Webhooks;
        var rate = keyRate ?? webhooks.RateLimitPerSecond;
        var entry = _buckets.AddOrUpdate(keyId,
            _ => (rate, NewBucket(rate)),
            (_, existing) => existing.Rate == rate ? existing : (rate, NewBucket(rate)));
        using var lease = entry.Bucket.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return null;
        }
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
    }

    /// <summary>The default rate has the configured burst; a key's own rate bursts to twice that rate.</summary>
    private TokenBucketRateLimiter NewBucket(int rate)
    {
        var webhooks = options.Value.Webhooks;
        var burst = rate == webhooks.RateLimitPerSecond ? webhooks.RateLimitBurst : rate * 2;
        var perPeriod = Math.Max(1, (int)Math.Round(rate * Period.TotalSeconds));
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(perPeriod / (double)rate),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    public void Dispose()
    {
        foreach (var (_, bucket) in _buckets.Values)
        {
            bucket.Dispose();
        }
    }
}
