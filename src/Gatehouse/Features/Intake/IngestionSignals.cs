using System.Collections.Concurrent;

namespace Gatehouse.Features.Intake;

/// <summary>Wakes the worker when an ingestion is stored, and wakes waiting senders when one is processed.</summary>
public sealed class IngestionSignals : Processing.WakeUpSignal
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);

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
