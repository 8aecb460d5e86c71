using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Gatehouse.Storage;

public sealed class PostgresGatehouseDb(DbContextOptions<PostgresGatehouseDb> options) : GatehouseDb(options);

/// <summary>Lets <c>dotnet ef migrations add X --context PostgresGatehouseDb</c> build the model (it does not connect).</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresGatehouseDb>
{
    public PostgresGatehouseDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresGatehouseDb>()
            .UseNpgsql("Host=localhost;Database=gatehouse_design", npgsql => npgsql.MigrationsAssembly(typeof(PostgresGatehouseDb).Assembly.GetName().Name))
            .Options);
}
