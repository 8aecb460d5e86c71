namespace Gatehouse.Processing;

/// <summary>
/// The loop a background worker runs: a step that reports whether it found work; when it found none, a wait for the
/// signal (or the idle poll, for work stored by other nodes); after an error, a log line and a pause, then on.
/// </summary>
public static class WorkLoop
{
    public static async Task RunAsync(Func<CancellationToken, Task<bool>> step, WakeUpSignal signal, TimeSpan idlePoll, Action<Exception> logError, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await step(stoppingToken))
                {
                    await signal.WaitForWorkAsync(idlePoll, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The database may be briefly unavailable; the work stays stored and is retried.
                logError(ex);
                await Task.Delay(idlePoll, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
