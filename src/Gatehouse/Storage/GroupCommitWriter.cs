using System.Threading.Channels;

namespace Gatehouse.Storage;

/// <summary>
/// Group commit: items queue in a bounded channel and one writer commits everything queued at once.
/// While a commit is in flight the next items gather, so under load a commit carries many items and
/// its fsync is shared. On shutdown it takes no more items but commits those already queued.
/// </summary>
public abstract class GroupCommitWriter<TItem> : BackgroundService
{
    private readonly Channel<TItem> _queue;
    private readonly int _maxBatch;

    protected GroupCommitWriter(int capacity, int maxBatch)
    {
        _maxBatch = maxBatch;
        _queue = Channel.CreateBounded<TItem>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>Items waiting for their commit.</summary>
    public int QueueDepth => _queue.Reader.Count;

    /// <summary>False when the queue is full or the writer is stopping.</summary>
    protected bool TryEnqueue(TItem item) => _queue.Writer.TryWrite(item);

    /// <summary>Stores the batch; must settle every item, whatever happens.</summary>
    protected abstract Task CommitAsync(IReadOnlyList<TItem> batch);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<TItem>(_maxBatch);
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
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryPeek(out _))
        {
            await CommitQueuedAsync(batch);
        }
    }

    private async Task CommitQueuedAsync(List<TItem> batch)
    {
        batch.Clear();
        while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var next))
        {
            batch.Add(next);
        }
        if (batch.Count > 0)
        {
            await CommitAsync(batch);
        }
    }
}
