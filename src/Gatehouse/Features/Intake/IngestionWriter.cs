using System.Diagnostics;
using System.Threading.Channels;
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
/// Group commit for intake: requests queue here (a bounded queue: past it, the caller answers 503),
/// and one writer stores everything queued in one transaction, then releases every waiting request.
/// While a commit is in flight the next requests gather, so under load a commit carries many
/// requests and the one fsync per commit is shared instead of paid per request.
/// </summary>
public sealed partial class IngestionWriter : BackgroundService
{
    private sealed record PendingWrite(Ingestion Ingestion, IReadOnlyList<UsedToken> UsedTokens, TaskCompletionSource<WriteResult> Done);

    private readonly Channel<PendingWrite> _queue;
    private readonly IServiceScopeFactory _scopes;
    private readonly IntakeMetrics _metrics;
    private readonly int _maxBatch;
    private readonly ILogger<IngestionWriter> _logger;

    public IngestionWriter(IServiceScopeFactory scopes, IOptions<GatehouseOptions> options, IntakeMetrics metrics, ILogger<IngestionWriter> logger)
    {
        _scopes = scopes;
        _metrics = metrics;
        _logger = logger;
        _maxBatch = options.Value.Intake.MaxCommitBatch;
        _queue = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(options.Value.Intake.MaxQueuedWrites)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        metrics.ObserveQueue(() => _queue.Reader.Count);
    }

    private RowInserter<Ingestion>? _ingestions;
    private RowInserter<UsedToken>? _usedTokens;
    private long _commits;
    private long _stored;

    /// <summary>Commits made and requests they stored, on this node since start.</summary>
    public (long Commits, long Stored) Totals => (Interlocked.Read(ref _commits), Interlocked.Read(ref _stored));

    /// <summary>Stores the ingestion (and any one-time token it spends) durably, together with whatever else is queued.</summary>
    public Task<WriteResult> WriteAsync(Ingestion ingestion, IReadOnlyList<UsedToken> usedTokens)
    {
        var pending = new PendingWrite(ingestion, usedTokens, new TaskCompletionSource<WriteResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        return _queue.Writer.TryWrite(pending) ? pending.Done.Task : Task.FromResult(WriteResult.Unavailable);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingWrite>(_maxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await CommitQueuedAsync(batch);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        // Shutting down: take no more, but finish what was accepted into the queue.
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryPeek(out _))
        {
            await CommitQueuedAsync(batch);
        }
    }

    private async Task CommitQueuedAsync(List<PendingWrite> batch)
    {
        batch.Clear();
        while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var next))
        {
            batch.Add(next);
        }
        if (batch.Count == 0)
        {
            return;
        }
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
    private async Task SaveAsync(IReadOnlyList<PendingWrite> writes)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDb>();
        _ingestions ??= new RowInserter<Ingestion>(db);
        _usedTokens ??= new RowInserter<UsedToken>(db);
        await db.Database.OpenConnectionAsync(CancellationToken.None);
        try
        {
            var connection = db.Database.GetDbConnection();
            await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
            await _ingestions.InsertAsync(connection, transaction, writes.Select(w => w.Ingestion), CancellationToken.None);
            if (writes.Any(w => w.UsedTokens.Count > 0))
            {
                await _usedTokens.InsertAsync(connection, transaction, writes.SelectMany(w => w.UsedTokens), CancellationToken.None);
            }
            await transaction.CommitAsync(CancellationToken.None);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static void Release(List<PendingWrite> batch, WriteResult result)
    {
        foreach (var pending in batch)
        {
            pending.Done.TrySetResult(result);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store {Count} intake request(s); they were answered 503")]
    private static partial void LogCommitFailed(ILogger logger, int count, Exception exception);
}
