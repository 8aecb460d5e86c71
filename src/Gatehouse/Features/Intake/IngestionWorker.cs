namespace Gatehouse.Features.Intake;

/// <summary>
/// Processes stored ingestions one after another, woken by new work or every second as a backstop.
/// An intake-only node (Gatehouse:Intake:Process = false) stores requests and leaves them to others.
/// </summary>
public sealed partial class IngestionWorker(
    IServiceScopeFactory scopes, IngestionSignals signals, Microsoft.Extensions.Options.IOptions<Infrastructure.GatehouseOptions> options, ILogger<IngestionWorker> logger)
    : BackgroundService
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        if (!options.Value.Intake.Process)
        {
            LogIntakeOnly(logger);
            return;
        }
        await Processing.WorkLoop.RunAsync(ProcessOneAsync, signals, IdlePoll, ex => LogWorkerError(logger, ex), stoppingToken);
    }

    private async Task<bool> ProcessOneAsync(CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var processor = scope.ServiceProvider.GetRequiredService<IngestionProcessor>();
        var (claim, refids) = await processor.ClaimBatchAsync(options.Value.Intake.ProcessBatchSize, stoppingToken);
        if (refids.Count == 0)
        {
            return false;
        }
        await processor.ProcessBatchAsync(refids, claim, stoppingToken);
        foreach (var refid in refids)
        {
            signals.Processed(refid);
        }
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Intake-only node: stored requests are processed by other nodes (Gatehouse:Intake:Process is false)")]
    private static partial void LogIntakeOnly(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "The ingestion worker hit an error; retrying")]
    private static partial void LogWorkerError(ILogger logger, Exception exception);
}
