using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Tests.Admin;

public class MigrationTests
{
    [Fact]
    public void The_sqlite_migrations_match_the_model()
    {
        using var db = new SqliteDesignTimeFactory().CreateDbContext([]);

        Assert.False(db.Database.HasPendingModelChanges(),
            "The model has changed since the last SQLite migration: add one with dotnet ef migrations add (see README).");
    }

    [Fact]
    public void The_postgres_migrations_match_the_model()
    {
        using var db = new PostgresDesignTimeFactory().CreateDbContext([]);

        Assert.False(db.Database.HasPendingModelChanges(),
            "The model has changed since the last PostgreSQL migration: add one with dotnet ef migrations add (see README).");
    }

    [Fact]
    public void Both_providers_have_the_same_migrations()
    {
        static IEnumerable<string> Names(DbContext db) => db.Database.GetMigrations().Select(m => m[(m.IndexOf('_') + 1)..]);
        using var sqlite = new SqliteDesignTimeFactory().CreateDbContext([]);
        using var postgres = new PostgresDesignTimeFactory().CreateDbContext([]);

        Assert.Equal(Names(sqlite), Names(postgres));
    }
}

public class ConfigurationTests
{
    [Theory]
    [InlineData("Postgres", null, "ConnectionString is required")]
    [InlineData("Oracle", null, "must be Sqlite or Postgres")]
    public void A_wrong_database_configuration_stops_the_start_with_a_clear_message(string provider, string? connectionString, string message)
    {
        using var factory = new Infrastructure.GatehouseFactory(
            new Infrastructure.GatehouseStore(Infrastructure.Provider.Sqlite, Infrastructure.TempFolder.Create(), null),
            new() { ["Gatehouse:Database:Provider"] = provider, ["Gatehouse:Database:ConnectionString"] = connectionString });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains(message, error.ToString());
    }
}
