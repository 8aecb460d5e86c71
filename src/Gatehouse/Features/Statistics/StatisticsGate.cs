namespace Gatehouse.Features.Statistics;

/// <summary>
/// Lets statistics reads run one (or half the cores) at a time. Each read is hundreds of counts and two bounded scans,
/// and SQLite's driver runs them on the calling thread: unbounded, a handful of dashboards starve the thread pool and
/// webhooks and health checks stall behind them. Reads beyond the slots wait their turn (asynchronously, holding no
/// thread); when too many wait, or the wait is too long, the read is refused so the caller can retry later.
/// </summary>
public sealed class StatisticsGate : IDisposable
{
    public static readonly int Slots = Math.Max(1, Environment.ProcessorCount / 2);
    public const int MaxWaiting = 16;
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30), RetryAfter = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim slots = new(Slots);
    private int admitted;

    /// <summary>The read's result, or null when the gate is full (too many waiting, or waited <see cref="MaxWait"/>).</summary>
    public async Task<T?> RunAsync<T>(Func<Task<T>> read, CancellationToken cancellationToken) where T : class
    {
        if (Interlocked.Increment(ref admitted) > Slots + MaxWaiting)
        {
            Interlocked.Decrement(ref admitted);
            return null;
        }
        try
        {
            if (!await slots.WaitAsync(MaxWait, cancellationToken))
            {
                return null;
            }
            try
            {
                return await read();
            }
            finally
            {
                slots.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref admitted);
        }
    }

    public void Dispose() => slots.Dispose();
}
