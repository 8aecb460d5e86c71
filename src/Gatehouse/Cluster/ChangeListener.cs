using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gatehouse.Cluster;

/// <summary>
/// Keeps this node's caches fresh: reads the stored topic versions every refresh interval (the
/// backstop, and all there is on SQLite) and, on PostgreSQL, wakes at once on NOTIFY.
/// </summary>
public sealed partial class ChangeListener(
    IServiceScopeFactory scopes,
    ChangeFeed feed,
    IOptions<GatehouseOptions> options,
    ILogger<ChangeListener> logger) : BackgroundService
{
    public const string Channel = "gatehouse_changes";

    private readonly SemaphoreSlim _wake = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var listening = options.Value.Database.IsPostgres ? ListenAsync(stoppingToken) : Task.CompletedTask;
        var interval = TimeSpan.FromMilliseconds(options.Value.Cluster.RefreshMilliseconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PollAsync(stoppingToken);
                await _wake.WaitAsync(interval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogPollFailed(logger, ex);
                await Task.Delay(interval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        await listening;
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDb>();
        var versions = await db.ChangeVersions.AsNoTracking().ToDictionaryAsync(v => v.Topic, v => v.Version, cancellationToken);
        feed.Observe(versions);
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(options.Value.Database.ConnectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, _) => _wake.Release();
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                // Anything that changed while not listening is caught by the next poll.
                _wake.Release();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogListenFailed(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read change versions; caches may be stale until the next try")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the PostgreSQL change notification connection; reconnecting (polling continues)")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);
}

/// <summary>Tells the other nodes after a commit; a node that misses it still sees the new version on its next poll.</summary>
public sealed class PostgresChangeNotifier : IChangeNotifier
{
    public async ValueTask NotifyAsync(DbContext context, IReadOnlyCollection<string> topics, CancellationToken cancellationToken)
    {
        foreach (var topic in topics)
        {
            await context.Database.ExecuteSqlAsync($"SELECT pg_notify({ChangeListener.Channel}, {topic})", CancellationToken.None);
        }
    }
}
