using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Gatehouse.Storage;

public sealed class SqliteGatehouseDb(DbContextOptions<SqliteGatehouseDb> options) : GatehouseDb(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        // SQLite cannot compare or order DateTimeOffset values; Unix milliseconds keep both exact.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMillisecondsConverter>();
    }

    private sealed class UnixMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
        value => value.ToUnixTimeMilliseconds(),
        stored => DateTimeOffset.FromUnixTimeMilliseconds(stored));
}

/// <summary>
/// Every connection: WAL (set once, persistent in the file), synchronous=FULL so a commit is
/// on disk before it returns (a 202 promises that), a busy timeout for concurrent writers,
/// and foreign keys enforced. SQLite's own <c>lower()</c> folds only ASCII, so a search for <c>é</c> would miss
/// <c>É</c>: it is replaced by .NET's, as PostgreSQL's folds every letter.
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;";

    // Microsoft.Data.Sqlite pools physical connections; the pragmas are set once per physical connection.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> _configured = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (NeedsPragmas(connection))
        {
            using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
        }
        AddFunctions(connection);
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (NeedsPragmas(connection))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        AddFunctions(connection);
    }

    // Functions belong to the SqliteConnection object, which unregisters them on close: added on every open.
    private static void AddFunctions(DbConnection connection)
    {
        if (connection is Microsoft.Data.Sqlite.SqliteConnection sqlite)
        {
            sqlite.CreateFunction("lower", (string? text) => text?.ToLowerInvariant(), isDeterministic: true);
        }
    }

    private bool NeedsPragmas(DbConnection connection) =>
        connection is not Microsoft.Data.Sqlite.SqliteConnection { Handle: { } handle } || _configured.TryAdd(handle, handle);
}

/// <summary>Lets <c>dotnet ef migrations add X --context SqliteGatehouseDb</c> build the model.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteGatehouseDb>
{
    public SqliteGatehouseDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteGatehouseDb>()
            .UseSqlite("Data Source=design-time.db", sqlite => sqlite.MigrationsAssembly(typeof(SqliteGatehouseDb).Assembly.GetName().Name))
            .Options);
}
