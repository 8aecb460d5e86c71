using System.Diagnostics;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Intake;

public enum WriteResult
{
    /// <summary>Committed and flushed: the request may be acknowledged.</summary>
    Stored,

    /// <summary>A unique constraint refused it (a repeated Idempotency-Key or one-time token that raced); the caller resolves which.</summary>
    Conflict,

    /// <summary>Not stored: the queue is full, the node is stopping, or the database failed.</summary>
    Unavailable,
}

/// <summary>
/// Group commit for intake (see <see cref="GroupCommitWriter{TItem}"/>): a request is acknowledged
/// only once the commit that stored it is flushed. Past the queue's bound the caller answers 503.
/// </summary>
public sealed partial class IngestionWriter : GroupCommitWriter<IngestionWriter.PendingWrite>
{
    public sealed record PendingWrite(Ingestion Ingestion, IReadOnlyList<UsedToken> UsedTokens, TaskCompletionSource<WriteResult> Done);

    private readonly IServiceScopeFactory _scopes;
    private readonly IntakeMetrics _metrics;
    private readonly ILogger<IngestionWriter> _logger;
    private RowInserter<Ingestion>? _ingestions;
    private RowInserter<UsedToken>? _usedTokens;
    private long _commits;
    private long _stored;

    public IngestionWriter(IServiceScopeFactory scopes, IOptions<GatehouseOptions> options, IntakeMetrics metrics, ILogger<IngestionWriter> logger)
        : base(options.Value.Intake.MaxQueuedWrites, options.Value.Intake.MaxCommitBatch)
    {
        _scopes = scopes;
        _metrics = metrics;
        _logger = logger;
        metrics.ObserveQueue(() => QueueDepth);
    }

    /// <summary>Commits made and requests they stored, on this node since start.</summary>
    public (long Commits, long Stored) Totals => (Interlocked.Read(ref _commits), Interlocked.Read(ref _stored));

    /// <summary>Stores the ingestion (and any one-time token it spends) durably, together with whatever else is queued.</summary>
    public Task<WriteResult> WriteAsync(Ingestion ingestion, IReadOnlyList<UsedToken> usedTokens)
    {
        var pending = new PendingWrite(ingestion, usedTokens, new TaskCompletionSource<WriteResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        return TryEnqueue(pending) ? pending.Done.Task : Task.FromResult(WriteResult.Unavailable);
    }

    protected override async Task CommitAsync(IReadOnlyList<PendingWrite> batch)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await SaveAsync(batch);
            Interlocked.Increment(ref _commits);
            Interlocked.Add(ref _stored, batch.Count);
            Release(batch, WriteResult.Stored);
        }
        catch (Exception ex) when (DatabaseErrors.IsUniqueViolation(ex))
        {
            // One of them broke a unique constraint: store them one by one to tell which.
            foreach (var pending in batch)
            {
                await SaveOneAsync(pending);
            }
        }
        catch (Exception ex)
        {
            LogCommitFailed(_logger, batch.Count, ex);
            Release(batch, WriteResult.Unavailable);
        }
        _metrics.Committed(batch.Count, clock.Elapsed);
    }

    private async Task SaveOneAsync(PendingWrite pending)
    {
        try
        {
            await SaveAsync([pending]);
            pending.Done.TrySetResult(WriteResult.Stored);
        }
        catch (Exception ex) when (DatabaseErrors.IsUniqueViolation(ex))
        {
            pending.Done.TrySetResult(WriteResult.Conflict);
        }
        catch (Exception ex)
        {
            LogCommitFailed(_logger, 1, ex);
            pending.Done.TrySetResult(WriteResult.Unavailable);
        }
    }

    /// <summary>One transaction, one prepared INSERT reused per row: the change tracker costs more than the rows.</summary>
    private Task SaveAsync(IReadOnlyList<PendingWrite> writes) =>
        RowInserts.InTransactionAsync(_scopes, async (db, connection, transaction) =>
        {
            _ingestions ??= new RowInserter<Ingestion>(db);
            _usedTokens ??= new RowInserter<UsedToken>(db);
            await _ingestions.InsertAsync(connection, transaction, writes.Select(w => w.Ingestion), CancellationToken.None);
            if (writes.Any(w => w.UsedTokens.Count > 0))
            {
                await _usedTokens.InsertAsync(connection, transaction, writes.SelectMany(w => w.UsedTokens), CancellationToken.None);
            }
        });

    private static void Release(IReadOnlyList<PendingWrite> batch, WriteResult result)
    {
        foreach (var pending in batch)
        {
            pending.Done.TrySetResult(result);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store {Count} intake request(s); they were answered 503")]
    private static partial void LogCommitFailed(ILogger logger, int count, Exception exception);
}
