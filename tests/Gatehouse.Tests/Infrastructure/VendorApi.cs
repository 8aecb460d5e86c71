using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Tests.Infrastructure;

/// <summary>
/// A small vendor API on 127.0.0.1 for playbook tasks: <c>/flaky/{name}?failures=N</c> answers 500
/// N times, then 200; <c>/slow/{name}?seconds=N</c> answers after N seconds the first time, at once
/// after that; <c>/echo?value=…</c> answers what it got. It counts calls by name.
/// </summary>
public sealed class VendorApi : IAsyncDisposable
{
    private WebApplication? _app;

    public ConcurrentDictionary<string, int> Calls { get; } = new();

    public int Port { get; } = PostgresCluster.FreePort();

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>The integration commands that call this API, for <c>PUT /api/integrations/{name}</c>.</summary>
    public static readonly object[] Commands =
    [
        new { name = "Flaky", parameters = new object[] { new { name = "Name", type = "text", required = true }, new { name = "Failures", type = "number" } },
            request = new { method = "GET", path = "/flaky/{{Name}}", query = new Dictionary<string, string> { ["failures"] = "{{Failures}}" } } },
        new { name = "Slow", parameters = new object[] { new { name = "Name", type = "text", required = true }, new { name = "Seconds", type = "number" } },
            request = new { method = "GET", path = "/slow/{{Name}}", query = new Dictionary<string, string> { ["seconds"] = "{{Seconds}}" } }, timeoutSeconds = 60 },
        new { name = "Echo", parameters = new object[] { new { name = "Value", type = "text" } },
            request = new { method = "GET", path = "/echo", query = new Dictionary<string, string> { ["value"] = "{{Value}}" } } },
    ];

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(BaseUrl);
        _app = builder.Build();
        _app.MapGet("/flaky/{name}", (string name, int? failures) =>
        {
            var call = Calls.AddOrUpdate(name, 1, (_, n) => n + 1);
            return call <= (failures ?? 1) ? Results.Json(new { error = "try again" }, statusCode: 500) : Results.Json(new { ok = true, call });
        });
        _app.MapGet("/slow/{name}", async (string name, double? seconds) =>
        {
            if (Calls.AddOrUpdate(name, 1, (_, n) => n + 1) == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(seconds ?? 5));
            }
            return Results.Json(new { done = true });
        });
        _app.MapGet("/echo", (string? value) => Results.Json(new { value }));
        await _app.StartAsync();
    }

    /// <summary>An integration with this API's commands and a connection for the site; returns its name.</summary>
    public async Task<string> IntegrationAsync(GatehouseClient admin, string site = GatehouseClient.DefaultSite)
    {
        var integration = await admin.CreateIntegrationAsync(name: Unique.Name("Vendor"));
        await admin.PutAsync($"/api/integrations/{Uri.EscapeDataString(integration)}", new { commands = Commands });
        await admin.PutAsync($"/api/integrations/{Uri.EscapeDataString(integration)}/connections/{Uri.EscapeDataString(site)}",
            new { baseUrl = BaseUrl, auth = "None" });
        return integration;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
