using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Tests.Infrastructure;

/// <summary>The real Gatehouse host (test server) on a real SQLite file or PostgreSQL database.</summary>
public sealed class GatehouseFactory(GatehouseStore store, Dictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    public const string AdminPassword = "admin-password-for-tests";

    public GatehouseStore Store { get; } = store;

    /// <summary>Every log line the host wrote, at every level, for tests that check what logs must never hold.</summary>
    public ConcurrentQueue<string> Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureLogging(logging => logging
            .AddProvider(new CapturingLoggerProvider(Logs))
            .AddFilter<CapturingLoggerProvider>(null, LogLevel.Trace));
        builder.UseSetting("Gatehouse:Admin:Password", AdminPassword);
        foreach (var (key, value) in Store.Settings().Concat(settings ?? []))
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>A client logged in as the built-in administrator.</summary>
    public async Task<GatehouseClient> AdminAsync() => await GatehouseClient.LoginAsync(CreateClient(), "admin", AdminPassword);
}

/// <summary>
/// One host per test class and provider; each test still makes its own integrations, keys and
/// users. A test class runs on both providers by deriving from an abstract class that takes this.
/// </summary>
public abstract class GatehouseFixture(Provider provider, Dictionary<string, string?>? settings = null) : IAsyncLifetime
{
    private GatehouseFactory? _factory;
    private GatehouseClient? _admin;

    public Provider Provider { get; } = provider;

    public GatehouseFactory Factory => _factory ?? throw GatehouseStore.SkipPostgres();

    public GatehouseClient Admin => _admin ?? throw GatehouseStore.SkipPostgres();

    public async ValueTask InitializeAsync()
    {
        if (await GatehouseStore.CreateAsync(Provider) is { } store)
        {
            _factory = new GatehouseFactory(store, settings);
            _admin = await _factory.AdminAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }
}

public sealed class SqliteFixture() : GatehouseFixture(Provider.Sqlite);

public sealed class PostgresFixture() : GatehouseFixture(Provider.Postgres);

public static class TempFolder
{
    public static string Create()
    {
        var path = Path.Combine(Path.GetTempPath(), "gatehouse-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}

public static class Unique
{
    public static string Name(string prefix) => $"{prefix} {Guid.NewGuid().ToString("N")[..8]}";
}

/// <summary>Keeps formatted log lines, with their exceptions, in memory.</summary>
public sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
