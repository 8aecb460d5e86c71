using System.Net;
using System.Net.Sockets;
using Gatehouse.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Gatehouse.Browser.Tests;

/// <summary>
/// One Gatehouse on a real socket (Kestrel, SQLite file) with the ATT&amp;CK catalogue loaded, and
/// one headless Debian Chromium driven by Playwright. Each test opens its own browser context.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private GatehouseFactory? _factory;

    public GatehouseFactory Factory => _factory ?? throw Unavailable();

    public GatehouseClient Admin { get; private set; } = null!;

    public string BaseUrl { get; private set; } = "";

    /// <summary>Where the screenshots of the main screens go: the test output folder.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            return;
        }
        var port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        _factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(Provider.Sqlite), new()
        {
            ["urls"] = BaseUrl,
            ["Gatehouse:PublicBaseUrl"] = BaseUrl,
            ["Gatehouse:Attack:BundlePath"] = SharedData.Path("attack/enterprise-attack-18.1.json"),
            ["Gatehouse:Sigma:RulesPath"] = ExplainRules(),
            // A formatter that overflows the stack must crash, not overrun, on a loaded machine.
            ["Gatehouse:Sandbox:FormatterTimeoutSeconds"] = "10",
        });
        _factory.UseKestrel(options => options.Listen(IPAddress.Loopback, port));
        _factory.StartServer();
        Admin = await GatehouseClient.LoginAsync(_factory.CreateClient(), "admin", GatehouseFactory.AdminPassword);
        // A shared 2-core CI machine runs the other suites at the same time: wait longer than Playwright's 5 s.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    /// <summary>A fresh browser context (no cookies) at 1280×800 that may use the clipboard; confirmations are accepted unless the test answers them.</summary>
    public async Task<IPage> NewPageAsync(bool acceptDialogs = true)
    {
        if (_browser is null)
        {
            throw Unavailable();
        }
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            Permissions = ["clipboard-read", "clipboard-write"],
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        if (acceptDialogs)
        {
            page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        }
        return page;
    }

    /// <summary>Waits until the webhook side sees enhanced authentication off again (it reads a cached setting).</summary>
    public async Task EnhancedAuthenticationOffAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Storage.GatehouseDb>();
        var settings = scope.ServiceProvider.GetRequiredService<Features.Settings.SettingsStore>();
        while (await settings.EnhancedAuthenticationAsync(db, CancellationToken.None))
        {
            Assert.True(DateTime.UtcNow < deadline, "enhanced authentication was still on 10 s after it was turned off");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }

    /// <summary>Browser tests skip on a machine without Chromium, with the reason; CI installs it and fails on any skip.</summary>
    private static Exception Unavailable()
    {
        Assert.Skip($"Browser tests need Debian's Chromium at {ChromiumPath} (apt-get install chromium).");
        return new InvalidOperationException("unreachable");
    }

    public const string ExplainRuleId = "6e6e6e6e-0000-4000-8000-000000000001";

    /// <summary>One Sigma rule for Windows process creation, distinctive enough to fire on no other test's events.</summary>
    private static string ExplainRules()
    {
        var folder = TempFolder.Create();
        File.WriteAllText(Path.Combine(folder, "explain.yml"), $"""
            title: Console explain test rule
            id: {ExplainRuleId}
            author: Test Author
            level: high
            tags:
                - attack.t1059.001
            logsource:
                product: windows
                category: process_creation
            detection:
                selection:
                    CommandLine|contains: 'gatehouse-explain-marker'
                condition: selection
            """);
        return folder;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "Console";

}
