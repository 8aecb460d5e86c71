using System.Threading.Channels;

namespace Gatehouse.Processing;

/// <summary>
/// Wakes a background worker when work was stored on this node. Signals while it is busy collapse
/// into one; work stored by other nodes is found by the worker's own poll.
/// </summary>
public class WakeUpSignal
{
    private readonly Channel<bool> _work = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

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
}
