using Gatehouse.Core.Playbooks;
using Gatehouse.Infrastructure;
using Gatehouse.Processing;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Playbooks;

/// <summary>
/// Drives playbook runs stored in the database. Each node claims runs with a lease (so several
/// nodes share them and a crashed node's runs are resumed), drives at most MaxActiveRuns at once,
/// and runs at most MaxConcurrentTasks tasks at once: further tasks wait for a slot.
/// </summary>
public sealed partial class PlaybookEngine(
    IServiceScopeFactory scopes, PlaybookSignals signals, IOptions<GatehouseOptions> options, TimeProvider time, ILogger<PlaybookEngine> logger)
    : BackgroundService
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);
    private readonly Dictionary<string, Task> _drivers = new(StringComparer.Ordinal);
    private SemaphoreSlim? _taskSlots;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var settings = options.Value.Playbooks;
        _taskSlots = new SemaphoreSlim(settings.MaxConcurrentTasks, settings.MaxConcurrentTasks);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var finished in _drivers.Where(d => d.Value.IsCompleted).Select(d => d.Key).ToList())
                {
                    _drivers.Remove(finished);
                }
                while (_drivers.Count < settings.MaxActiveRuns && await ClaimAsync(settings, stoppingToken) is { } claimed)
                {
                    _drivers[claimed.Id] = DriveAsync(claimed.Id, claimed.Claim, stoppingToken);
                }
                await signals.WaitForWorkAsync(IdlePoll, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogEngineError(logger, ex);
                await Task.Delay(IdlePoll, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        await Task.WhenAll(_drivers.Values);
    }

    private async Task<(string Id, string Claim)?> ClaimAsync(PlaybookOptions settings, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDb>();
        var now = time.GetUtcNow();
        return await WorkLeases.ClaimNextAsync(
            db.PlaybookRuns,
            r => (r.Status == RunState.Queued || r.Status == RunState.Running) && (r.LeaseExpiresAt == null || r.LeaseExpiresAt < now),
            q => q.OrderBy(r => r.CreatedAt),
            _ => { },
            now.AddSeconds(settings.LeaseSeconds),
            cancellationToken);
    }

    private async Task DriveAsync(string runId, string claim, CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var driver = ActivatorUtilities.CreateInstance<PlaybookRunDriver>(scope.ServiceProvider, _taskSlots!);
            await driver.DriveAsync(runId, claim, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (DbUpdateConcurrencyException)
        {
            LogLostClaim(logger, runId);
        }
        catch (Exception ex)
        {
            // The run stays stored; its lease runs out and it is driven again.
            LogRunError(logger, runId, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The playbook engine hit an error; retrying")]
    private static partial void LogEngineError(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Playbook run {RunId}: another node took it over after this node's lease ran out")]
    private static partial void LogLostClaim(ILogger logger, string runId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Playbook run {RunId} hit an error; it will be resumed")]
    private static partial void LogRunError(ILogger logger, string runId, Exception exception);
}
