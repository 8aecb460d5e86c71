using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Intake;

/// <summary>
/// Counts stored but unprocessed ingestions (every node's) twice a second, so intake can refuse new
/// requests with 503 while the backlog is over Gatehouse:Intake:MaxBacklog, without a count per request.
/// </summary>
public sealed partial class IntakeBacklog(IServiceScopeFactory scopes, IOptions<GatehouseOptions> options, IntakeMetrics metrics, ILogger<IntakeBacklog> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public bool IsFull => Count >= options.Value.Intake.MaxBacklog;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        metrics.ObserveBacklog(() => Count);
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                await CountAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task CountAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GatehouseDb>();
            var count = await db.Ingestions.CountAsync(i => i.Status == IngestionStatus.Pending || i.Status == IngestionStatus.Processing, cancellationToken);
            Interlocked.Exchange(ref _count, count);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCountFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not count the intake backlog; keeping the last count")]
    private static partial void LogCountFailed(ILogger logger, Exception exception);
}
