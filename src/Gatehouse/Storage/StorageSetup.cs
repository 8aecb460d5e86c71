using Gatehouse.Cluster;
using Gatehouse.Infrastructure;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Storage;

public static class StorageSetup
{
    /// <summary>
    /// The configured provider's DbContext, served as <see cref="GatehouseDb"/>. Options are read
    /// when the first context is made, so settings applied after registration still count.
    /// </summary>
    public static void AddGatehouseStorage(this IServiceCollection services)
    {
        services.AddSingleton<ChangeFeed>();
        services.AddSingleton<ChangeStamps>();
        services.AddSingleton<IChangeNotifier>(provider =>
            Database(provider).IsPostgres ? new PostgresChangeNotifier() : new NoChangeNotifier());
        services.AddHostedService<ChangeListener>();

        // Pooled: building options and a context per request cost more than the intake itself.
        // The interceptors are stateless, so one instance serves every pooled context.
        var pragmas = new SqlitePragmas();
        services.AddDbContextPool<SqliteGatehouseDb>((provider, db) => db
            .UseSqlite(SqliteConnectionString(provider))
            .AddInterceptors(pragmas, provider.GetRequiredService<ChangeStamps>()));
        services.AddDbContextPool<PostgresGatehouseDb>((provider, db) => db
            .UseNpgsql(Database(provider).ConnectionString)
            .AddInterceptors(provider.GetRequiredService<ChangeStamps>()));
        services.AddScoped<GatehouseDb>(provider => Database(provider).IsPostgres
            ? provider.GetRequiredService<PostgresGatehouseDb>()
            : provider.GetRequiredService<SqliteGatehouseDb>());

        // Secrets shown again (key values) are encrypted with the data-protection key ring:
        // with SQLite it sits in the data directory, with PostgreSQL every node shares it in the database.
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider => new ConfigureOptions<KeyManagementOptions>(keys =>
        {
            var options = provider.GetRequiredService<IOptions<GatehouseOptions>>().Value;
            var logs = provider.GetRequiredService<ILoggerFactory>();
            keys.XmlRepository = options.Database.IsPostgres
                ? new EntityFrameworkCoreXmlRepository<PostgresGatehouseDb>(provider, logs)
                : new FileSystemXmlRepository(new DirectoryInfo(Path.Combine(options.DataDirectory, "keys")), logs);
        }));
    }

    private static DatabaseOptions Database(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<GatehouseOptions>>().Value.Database;

    private static string SqliteConnectionString(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<GatehouseOptions>>().Value;
        return string.IsNullOrWhiteSpace(options.Database.ConnectionString)
            ? $"Data Source={Path.Combine(options.DataDirectory, "gatehouse.db")}"
            : options.Database.ConnectionString;
    }
}
