using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Intake;

/// <summary>Forgets one-time tokens once they could no longer pass the age check anyway.</summary>
public sealed partial class UsedTokenSweeper(IServiceScopeFactory scopes, TimeProvider time, ILogger<UsedTokenSweeper> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, stoppingToken);
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<GatehouseDb>();
                var now = time.GetUtcNow();
                await db.UsedTokens.Where(u => u.ExpiresAt < now).ExecuteDeleteAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogSweepFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove expired one-time tokens; will try again")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
