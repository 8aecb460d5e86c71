using System.Collections.Concurrent;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Audit;

/// <summary>
/// Webhook authentication failures, counted in memory and written once a second as one row per
/// key, reason, source address and minute. The number of distinct rows held between writes is
/// bounded; past it, failures are counted in one overflow row per reason and minute.
/// </summary>
public sealed partial class AuthFailureAudit(IServiceScopeFactory scopes, TimeProvider time, ILogger<AuthFailureAudit> logger) : BackgroundService
{
    public const int MaxPendingRows = 10_000;
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    private readonly record struct Bucket(int? KeyId, string Reason, string? Source, long Minute);

    private ConcurrentDictionary<Bucket, int> _pending = new();

    /// <summary>One flush at a time: a reader that flushes first then sees every failure counted before it asked.</summary>
    private readonly SemaphoreSlim _flushing = new(1, 1);

    public void Record(int? keyId, string reason, string? source)
    {
        var minute = time.GetUtcNow().ToUnixTimeSeconds() / 60;
        var bucket = new Bucket(keyId, reason, source, minute);
        var pending = _pending;
        if (pending.Count >= MaxPendingRows && !pending.ContainsKey(bucket))
        {
            bucket = new Bucket(null, reason, "many sources", minute);
        }
        pending.AddOrUpdate(bucket, 1, (_, count) => count + 1);
    }

    /// <summary>Writes what has been counted so far (also called by tests and at shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            var batch = Interlocked.Exchange(ref _pending, new ConcurrentDictionary<Bucket, int>());
            if (batch.IsEmpty)
            {
                return;
            }
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GatehouseDb>();
            foreach (var (bucket, count) in batch)
            {
                await AddAsync(db, bucket, count, CancellationToken.None);
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    private Task AddAsync(GatehouseDb db, Bucket bucket, int count, CancellationToken cancellationToken) =>
        AuditAggregates.AddAsync(db, $"{bucket.KeyId}|{bucket.Reason}|{bucket.Source}|{bucket.Minute}", count, time.GetUtcNow(), () => new AuditEntry
        {
            At = DateTimeOffset.FromUnixTimeSeconds(bucket.Minute * 60),
            Action = AuditActions.WebhookAuthFailed,
            KeyId = bucket.KeyId,
            Reason = bucket.Reason,
            SourceAddress = bucket.Source,
        }, cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(FlushInterval, time, stoppingToken);
                await FlushAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogFlushFailed(logger, ex);
            }
        }
        try
        {
            await FlushAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogFlushFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write webhook authentication failures to the audit log")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
