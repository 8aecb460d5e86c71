using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Tests.Infrastructure;

public enum Provider { Sqlite, Postgres }

/// <summary>Where one Gatehouse installation keeps its data: a data folder, and a PostgreSQL database when that is the provider.</summary>
public sealed record GatehouseStore(Provider Provider, string DataDirectory, string? ConnectionString)
{
    /// <summary>A fresh, empty store; null (with the reason) when PostgreSQL is wanted but absent.</summary>
    public static async Task<GatehouseStore?> CreateAsync(Provider provider)
    {
        var dataDirectory = TempFolder.Create();
        if (provider == Provider.Sqlite)
        {
            return new GatehouseStore(provider, dataDirectory, null);
        }
        var cluster = await PostgresCluster.SharedAsync();
        return cluster is null ? null : new GatehouseStore(provider, dataDirectory, await cluster.CreateDatabaseAsync());
    }

    /// <summary>Like <see cref="CreateAsync"/>, but skips the calling test when the provider is absent.</summary>
    public static async Task<GatehouseStore> CreateOrSkipAsync(Provider provider) =>
        await CreateAsync(provider) ?? throw SkipPostgres();

    public static Exception SkipPostgres()
    {
        Assert.Skip($"PostgreSQL tests need a server: {PostgresCluster.UnavailableReason}");
        return new InvalidOperationException("unreachable");
    }

    public Dictionary<string, string?> Settings() => Provider == Provider.Sqlite
        ? new() { ["Gatehouse:DataDirectory"] = DataDirectory }
        : new()
        {
            ["Gatehouse:DataDirectory"] = DataDirectory,
            ["Gatehouse:Database:Provider"] = "Postgres",
            ["Gatehouse:Database:ConnectionString"] = ConnectionString,
        };

    /// <summary>A context on the same database, for tests that arrange stored state directly.</summary>
    /// <summary>Waits until every one of the ingestions exists and is processed; fails with how many are not after <paramref name="within"/>.</summary>
    public static async Task AllProcessedAsync(GatehouseDb db, IReadOnlyCollection<string> refids, TimeSpan within, string context = "")
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int waiting;
        while ((waiting = await db.Ingestions.CountAsync(i => refids.Contains(i.Id) && i.Status != IngestionStatus.Processed)) > 0)
        {
            if (clock.Elapsed >= within)
            {
                var stuck = await db.Ingestions.AsNoTracking().Where(i => refids.Contains(i.Id) && i.Status != IngestionStatus.Processed)
                    .Select(i => new { i.Id, i.Status, i.Attempts, i.LeaseExpiresAt, i.LogJson }).Take(5).ToListAsync();
                Assert.Fail($"{waiting} acknowledged ingestions were still not processed after {within.TotalSeconds:0} s {context}: "
                    + string.Join("; ", stuck.Select(i => $"{i.Id} {i.Status} after {i.Attempts} attempts, lease {i.LeaseExpiresAt:O}, log {i.LogJson}")));
            }
            await Task.Delay(250);
        }
        Assert.Equal(refids.Count, await db.Ingestions.CountAsync(i => refids.Contains(i.Id)));
    }

    public GatehouseDb OpenDb() => Provider == Provider.Sqlite
        ? new SqliteGatehouseDb(new DbContextOptionsBuilder<SqliteGatehouseDb>()
            .UseSqlite($"Data Source={Path.Combine(DataDirectory, "gatehouse.db")};Pooling=False").AddInterceptors(new SqlitePragmas()).Options)
        : new PostgresGatehouseDb(new DbContextOptionsBuilder<PostgresGatehouseDb>().UseNpgsql(ConnectionString).Options);
}
