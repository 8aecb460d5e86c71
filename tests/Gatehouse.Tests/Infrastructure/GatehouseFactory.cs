using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Gatehouse.Tests.Infrastructure;

/// <summary>The real Gatehouse host on a real SQLite file in a folder of its own.</summary>
public sealed class GatehouseFactory : WebApplicationFactory<Program>
{
    public const string AdminPassword = "admin-password-for-tests";

    private readonly Dictionary<string, string?> _settings;

    public GatehouseFactory(string? dataDirectory = null, Dictionary<string, string?>? settings = null)
    {
        DataDirectory = dataDirectory ?? TempFolder.Create();
        _settings = settings ?? [];
    }

    public string DataDirectory { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Gatehouse:DataDirectory", DataDirectory);
        builder.UseSetting("Gatehouse:Admin:Password", AdminPassword);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>A client logged in as the built-in administrator.</summary>
    public async Task<GatehouseClient> AdminAsync() => await GatehouseClient.LoginAsync(CreateClient(), "admin", AdminPassword);

    public GatehouseClient Anonymous() => new(CreateClient());
}

/// <summary>One fixture host per test class; each test still makes its own integrations, keys and users.</summary>
public sealed class GatehouseFixture : IAsyncLifetime
{
    public GatehouseFactory Factory { get; } = new();

    public GatehouseClient Admin { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Admin = await Factory.AdminAsync();

    public async ValueTask DisposeAsync() => await Factory.DisposeAsync();
}

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
