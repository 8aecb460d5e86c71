using System.Data.Common;
using Gatehouse.Storage;
using Gatehouse.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Gatehouse.Tests.Storage;

/// <summary>
/// Regression: every SQLite constraint error (primary code 19) counted as a unique violation, so a
/// NOT NULL or FOREIGN KEY failure would have been answered as a duplicate. Only unique indexes and
/// primary keys are conflicts; the rest stay errors.
/// </summary>
public sealed class DatabaseErrorsTests
{
    private const string Schema = """
        CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
        CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id), size INTEGER CHECK (size > 0));
        INSERT INTO parent (id, name) VALUES (1, 'one');
        """;

    public static TheoryData<string, bool> Statements() => new()
    {
        { "INSERT INTO parent (id, name) VALUES (2, 'one')", true },       // unique index
        { "INSERT INTO parent (id, name) VALUES (1, 'two')", true },       // primary key
        { "INSERT INTO parent (id, name) VALUES (3, NULL)", false },       // NOT NULL
        { "INSERT INTO child (id, parent_id) VALUES (1, 99)", false },     // FOREIGN KEY
        { "INSERT INTO child (id, parent_id, size) VALUES (2, 1, 0)", false }, // CHECK
    };

    [Theory]
    [MemberData(nameof(Statements))]
    public async Task Only_unique_and_primary_key_violations_are_unique_violations_on_sqlite(string statement, bool unique)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(TempFolder.Create(), "errors.db")};Pooling=False");
        await connection.OpenAsync();
        await ExecuteAsync(connection, "PRAGMA foreign_keys=ON; " + Schema);

        var error = await Assert.ThrowsAsync<SqliteException>(() => ExecuteAsync(connection, statement));

        Assert.Equal(19, error.SqliteErrorCode);
        Assert.Equal(unique, DatabaseErrors.IsUniqueViolation(error));
        Assert.Equal(unique, DatabaseErrors.IsUniqueViolation(new DbUpdateException("wrapped", error)));
        if (unique)
        {
            Assert.Equal("parent", DatabaseErrors.FindUniqueViolation(error)!.Table);
        }
    }

    [Theory]
    [MemberData(nameof(Statements))]
    public async Task Only_unique_and_primary_key_violations_are_unique_violations_on_postgres(string statement, bool unique)
    {
        var cluster = await PostgresCluster.SharedAsync() ?? throw GatehouseStore.SkipPostgres();
        await using var connection = new NpgsqlConnection(await cluster.CreateDatabaseAsync());
        await connection.OpenAsync();
        await ExecuteAsync(connection, Schema);

        var error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connection, statement));

        Assert.Equal(unique, DatabaseErrors.IsUniqueViolation(error));
        Assert.Equal(unique, DatabaseErrors.IsUniqueViolation(new DbUpdateException("wrapped", error)));
        if (unique)
        {
            Assert.Equal("parent", DatabaseErrors.FindUniqueViolation(error)!.Table);
        }
    }

    [Fact]
    public void Other_exceptions_are_not_unique_violations()
    {
        Assert.False(DatabaseErrors.IsUniqueViolation(new InvalidOperationException("no", new TimeoutException())));
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
