using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Gatehouse.Features.Intake;

/// <summary>Wakes the worker when an ingestion is stored, and wakes waiting senders when one is processed.</summary>
public sealed class IngestionSignals
{
    private readonly Channel<bool> _work = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);

    public void WorkArrived() => _work.Writer.TryWrite(true);

    /// <summary>Returns when work may have arrived, or after <paramref name="timeout"/> (the backstop for work stored elsewhere).</summary>
    public async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await _work.Reader.ReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }

    public Task ProcessedAsync(string refid) => _waiters.GetOrAdd(refid, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Processed(string refid)
    {
        if (_waiters.TryRemove(refid, out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    public void StopWaiting(string refid) => _waiters.TryRemove(refid, out _);
}
