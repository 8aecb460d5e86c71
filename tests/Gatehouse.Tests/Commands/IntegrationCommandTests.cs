using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Tests.Commands;

/// <summary>Integration commands against a receiver on this machine's loopback, allow-listed for the test.</summary>
public abstract class IntegrationCommandTests(Provider provider)
{
    private const string Site = GatehouseClient.DefaultSite;

    /// <summary>A tiny vendor API on 127.0.0.1 that records what it received.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        public ConcurrentQueue<(string Path, string? Token, string Body)> Seen { get; } = new();
        public int Port { get; } = PostgresCluster.FreePort();
        private WebApplication? _app;

        public async Task StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
            _app = builder.Build();
            _app.MapGet("/api/v1/alerts/{id}", (string id, HttpRequest request) =>
            {
                Seen.Enqueue((request.Path + request.QueryString, request.Headers["X-Api-Token"], ""));
                return id == "missing"
                    ? Results.Json(new { message = "not found" }, statusCode: 404)
                    : Results.Json(new { data = new { id, severity = "high" }, meta = new { verbose = request.Query["verbose"].ToString() } });
            });
            _app.MapGet("/api/v1/big", () => Results.Text(new string('x', 64 * 1024), "application/json"));
            _app.MapGet("/api/v1/slow", async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(10));
                return Results.Json(new { late = true });
            });
            _app.MapPost("/api/v1/block", async (HttpRequest request) =>
            {
                var body = await new StreamReader(request.Body).ReadToEndAsync();
                Seen.Enqueue((request.Path, request.Headers.Authorization, body));
                return Results.Json(new { blocked = true });
            });
            await _app.StartAsync();
        }

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.DisposeAsync();
            }
        }
    }

    private static readonly object[] Commands =
    [
        new
        {
            name = "Get Alert",
            parameters = new object[] { new { name = "Alert ID", type = "text", required = true }, new { name = "Verbose", type = "boolean" } },
            request = new { method = "GET", path = "/api/v1/alerts/{{Alert ID}}", query = new Dictionary<string, string> { ["verbose"] = "{{Verbose}}" } },
            returnDataPath = "$.data",
        },
        new
        {
            name = "Block IP",
            parameters = new object[] { new { name = "IP", type = "text", required = true }, new { name = "Tags", type = "list" } },
            request = new { method = "POST", path = "/api/v1/block", body = new { ip = "{{IP}}", reason = "Blocked from {{IP}}", tags = "{{Tags}}" } },
        },
        new
        {
            name = "Tag Alert",
            parameters = new object[] { new { name = "Case", type = "text", required = true } },
            request = new { method = "GET", path = "/api/v1/alerts/tagged", headers = new Dictionary<string, string> { ["X-Case"] = "case {{Case}}" } },
        },
        new { name = "Slow", request = new { method = "GET", path = "/api/v1/slow" }, timeoutSeconds = 1 },
        new { name = "Big", request = new { method = "GET", path = "/api/v1/big" } },
    ];

    private static async Task<JsonNode> RunAsync(GatehouseClient client, string integration, string site, string command, string key, object commandParams, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = new JsonObject { ["Username"] = "admin", ["CommandParams"] = System.Text.Json.JsonSerializer.SerializeToNode(commandParams) };
        var request = new HttpRequestMessage(HttpMethod.Post, $"/VSOC/api/Integration/{Uri.EscapeDataString(integration)}/{Uri.EscapeDataString(site)}/{Uri.EscapeDataString(command)}")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("d3key", key);
        return await GatehouseClient.Json(await client.Http.SendAsync(request), expected);
    }

    private static async Task<string> KeyAsync(GatehouseClient admin, string integration, string command, string site = Site)
    {
        var view = await admin.PostAsync("/api/keys", new { name = Unique.Name("Integration key"), module = "Integration", site, integration, command });
        Assert.EndsWith($"/VSOC/api/Integration/{Uri.EscapeDataString(integration)}/{Uri.EscapeDataString(site)}/{Uri.EscapeDataString(command)}",
            view["requestUrls"]![0]!["url"]!.GetValue<string>());
        return (await admin.GetAsync($"/api/keys/{view["id"]}/secret"))["headerValue"]!.GetValue<string>();
    }

    [Fact]
    public async Task An_integration_command_calls_the_sites_connection_and_maps_returnData()
    {
        await using var receiver = new Receiver();
        await receiver.StartAsync();
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(provider), new() { ["Gatehouse:Outbound:AllowedHosts:0"] = "127.0.0.1", ["Gatehouse:Outbound:MaxResponseBytes"] = "16384" });
        var admin = await factory.AdminAsync();
        var integration = await admin.CreateIntegrationAsync(name: Unique.Name("Vendor"));
        await admin.PutAsync($"/api/integrations/{Uri.EscapeDataString(integration)}", new { commands = Commands });
        var connection = await admin.PutAsync($"/api/integrations/{Uri.EscapeDataString(integration)}/connections/{Uri.EscapeDataString(Site)}",
            new { baseUrl = $"http://127.0.0.1:{receiver.Port}", auth = "HeaderToken", headerName = "X-Api-Token", secret = "vendor-secret-123" });
        var key = await KeyAsync(admin, integration, "Get Alert");
        var blockKey = await KeyAsync(admin, integration, "Block IP");

        var alert = await RunAsync(admin, integration, Site, "get alert", key, new Dictionary<string, object> { ["Alert ID"] = "a/1 2", ["Verbose"] = true });
        var missing = await RunAsync(admin, integration, Site, "Get Alert", key, new Dictionary<string, object> { ["Alert ID"] = "missing" });
        var blocked = await RunAsync(admin, integration, Site, "Block IP", blockKey, new Dictionary<string, object> { ["IP"] = "203.0.113.9", ["Tags"] = new[] { "c2" } });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var slow = await RunAsync(admin, integration, Site, "Slow", await KeyAsync(admin, integration, "Slow"), new { });
        Assert.Contains("within 1 s", slow["error"]!.GetValue<string>());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the command's timeout took {clock.Elapsed}");
        var big = await RunAsync(admin, integration, Site, "Big", await KeyAsync(admin, integration, "Big"), new { });
        Assert.Contains("larger than the limit of 16384 bytes", big["error"]!.GetValue<string>());

        Assert.Equal("", alert["error"]!.GetValue<string>());
        Assert.Equal("high", alert["returnData"]!["severity"]!.GetValue<string>()); // $.data of the answer
        Assert.Equal("true", alert["rawData"]!["meta"]!["verbose"]!.GetValue<string>());
        Assert.Contains("404", missing["error"]!.GetValue<string>());
        Assert.True(blocked["rawData"]!["blocked"]!.GetValue<bool>());
        var seen = receiver.Seen.ToList();
        Assert.Equal("/api/v1/alerts/a%2F1%202?verbose=true", seen[0].Path);
        Assert.Equal("vendor-secret-123", seen[0].Token);
        Assert.Equal("""{"ip":"203.0.113.9","reason":"Blocked from 203.0.113.9","tags":["c2"]}""", seen[2].Body);
        Assert.True(connection["hasSecret"]!.GetValue<bool>());
        Assert.Null(connection["secret"]);
        Assert.DoesNotContain("vendor-secret-123", (await admin.GetAsync($"/api/integrations/{Uri.EscapeDataString(integration)}/connections")).ToJsonString());
        Assert.Contains(factory.Logs, l => l.Contains("Command", StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs, l => l.Contains("vendor-secret-123", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Header_injection_CR_LF_in_a_templated_header_and_dot_segments_in_the_path_never_reach_the_wire()
    {
        await using var receiver = new Receiver();
        await receiver.StartAsync();
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(provider), new() { ["Gatehouse:Outbound:AllowedHosts:0"] = "127.0.0.1" });
        var admin = await factory.AdminAsync();
        var integration = await admin.CreateIntegrationAsync(name: Unique.Name("Vendor"));
        await admin.PutAsync($"/api/integrations/{Uri.EscapeDataString(integration)}", new { commands = Commands });
        await admin.PutAsync($"/api/integrations/{Uri.EscapeDataString(integration)}/connections/{Uri.EscapeDataString(Site)}",
            new { baseUrl = $"http://127.0.0.1:{receiver.Port}", auth = "HeaderToken", headerName = "X-Api-Token", secret = "vendor-secret-123" });
        var tagKey = await KeyAsync(admin, integration, "Tag Alert");
        var alertKey = await KeyAsync(admin, integration, "Get Alert");

        var injected = await RunAsync(admin, integration, Site, "Tag Alert", tagKey, new Dictionary<string, object> { ["Case"] = "a\r\nX-Injected: 1" });
        var smuggled = await RunAsync(admin, integration, Site, "Tag Alert", tagKey, new Dictionary<string, object>
        {
            ["Case"] = "1\r\n\r\nGET /api/v1/block HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        });
        var nul = await RunAsync(admin, integration, Site, "Tag Alert", tagKey, new Dictionary<string, object> { ["Case"] = "a\u0000b" });
        var climb = await RunAsync(admin, integration, Site, "Get Alert", alertKey, new Dictionary<string, object> { ["Alert ID"] = ".." });
        var dot = await RunAsync(admin, integration, Site, "Get Alert", alertKey, new Dictionary<string, object> { ["Alert ID"] = "." });
        var fine = await RunAsync(admin, integration, Site, "Tag Alert", tagKey, new Dictionary<string, object> { ["Case"] = "42" });

        Assert.Contains("CR, LF, NUL", injected["error"]!.GetValue<string>());
        Assert.Contains("CR, LF, NUL", smuggled["error"]!.GetValue<string>());
        Assert.Contains("CR, LF, NUL", nul["error"]!.GetValue<string>());
        Assert.Contains("'..'", climb["error"]!.GetValue<string>());
        Assert.Contains("'..'", dot["error"]!.GetValue<string>());
        Assert.Equal("", fine["error"]!.GetValue<string>());
        Assert.Equal(["/api/v1/alerts/tagged"], receiver.Seen.Select(s => s.Path));
    }

    [Fact]
    public async Task A_connection_base_url_with_credentials_is_refused()
    {
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(provider));
        var admin = await factory.AdminAsync();
        var integration = await admin.CreateIntegrationAsync(name: Unique.Name("Vendor"));
        var url = $"/api/integrations/{Uri.EscapeDataString(integration)}/connections/{Uri.EscapeDataString(Site)}";

        var problem = await GatehouseClient.Problem(await admin.Http.PutAsJsonAsync(url, new { baseUrl = "https://svc:hunter2@vendor.example.com" }), HttpStatusCode.BadRequest);
        var header = await GatehouseClient.Problem(await admin.Http.PutAsJsonAsync(url, new
        {
            baseUrl = "https://vendor.example.com", auth = "HeaderToken", headerName = "X-Token\r\nX-Evil", secret = "a\r\nb",
        }), HttpStatusCode.BadRequest);

        Assert.Contains("credentials", problem["Error"]!.GetValue<string>());
        Assert.DoesNotContain("hunter2", problem.ToJsonString());
        Assert.Equal(2, header["errors"]!.AsArray().Count);
        Assert.DoesNotContain("hunter2", (await admin.GetAsync($"/api/integrations/{Uri.EscapeDataString(integration)}/connections")).ToJsonString());
    }

    [Fact]
    public async Task Private_and_loopback_addresses_that_are_not_allow_listed_are_refused_without_a_connection()
    {
        await using var receiver = new Receiver();
        await receiver.StartAsync();
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(provider));
        var admin = await factory.AdminAsync();
        var integration = await admin.CreateIntegrationAsync(name: Unique.Name("Vendor"));
        await admin.PutAsync($"/api/integrations/{Uri.EscapeDataString(integration)}", new { commands = Commands });
        var privateSite = await admin.CreateSiteAsync();
        await admin.PutAsync($"/api/integrations/{Uri.EscapeDataString(integration)}/connections/{Uri.EscapeDataString(Site)}", new { baseUrl = $"http://127.0.0.1:{receiver.Port}" });
        await admin.PutAsync($"/api/integrations/{Uri.EscapeDataString(integration)}/connections/{Uri.EscapeDataString(privateSite)}", new { baseUrl = "http://10.0.0.1:9" });
        var loopbackKey = await KeyAsync(admin, integration, "Get Alert");
        var privateKey = await KeyAsync(admin, integration, "Get Alert", privateSite);

        var loopback = await RunAsync(admin, integration, Site, "Get Alert", loopbackKey, new Dictionary<string, object> { ["Alert ID"] = "1" });
        var privateRange = await RunAsync(admin, integration, privateSite, "Get Alert", privateKey, new Dictionary<string, object> { ["Alert ID"] = "1" });

        Assert.Contains("AllowedHosts", loopback["error"]!.GetValue<string>());
        Assert.Contains("AllowedHosts", privateRange["error"]!.GetValue<string>());
        Assert.Empty(receiver.Seen);
    }

    [Fact]
    public async Task Integration_commands_and_connections_are_validated_and_keys_scoped()
    {
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(provider));
        var admin = await factory.AdminAsync();
        var integration = await admin.CreateIntegrationAsync(name: Unique.Name("Vendor"));

        var bad = await GatehouseClient.Problem(await admin.Http.PutAsJsonAsync($"/api/integrations/{Uri.EscapeDataString(integration)}", new
        {
            commands = new object[]
            {
                new { name = "A", request = new { method = "TRACE", path = "http://elsewhere/x" }, returnDataPath = "$[" },
                new { name = "B", request = new { method = "GET", path = "/x/{{Undeclared}}" } },
            },
        }), HttpStatusCode.BadRequest);
        await admin.PutAsync($"/api/integrations/{Uri.EscapeDataString(integration)}", new { commands = Commands });
        var badConnection = await GatehouseClient.Problem(await admin.Http.PutAsJsonAsync(
            $"/api/integrations/{Uri.EscapeDataString(integration)}/connections/{Uri.EscapeDataString(Site)}", new { baseUrl = "ftp://x", auth = "Basic" }), HttpStatusCode.BadRequest);
        var noConnectionKey = await KeyAsync(admin, integration, "Get Alert");
        var noConnection = await RunAsync(admin, integration, Site, "Get Alert", noConnectionKey, new Dictionary<string, object> { ["Alert ID"] = "1" });
        var utility = await admin.PostAsync("/api/keys", new { name = Unique.Name("Utility"), module = "UtilityCommand", command = "GetEvents" });
        var utilityValue = (await admin.GetAsync($"/api/keys/{utility["id"]}/secret"))["headerValue"]!.GetValue<string>();

        Assert.Equal(4, bad["errors"]!.AsArray().Count);
        Assert.Equal(3, badConnection["errors"]!.AsArray().Count);
        Assert.Contains("no connection", noConnection["error"]!.GetValue<string>());
        await RunAsync(admin, integration, Site, "Get Alert", utilityValue, new Dictionary<string, object> { ["Alert ID"] = "1" }, HttpStatusCode.Unauthorized);
        await RunAsync(admin, integration, Site, "Nope", noConnectionKey, new { }, HttpStatusCode.NotFound);
        await GatehouseClient.Problem(await admin.Http.PostAsJsonAsync("/api/keys",
            new { name = "k", module = "Integration", site = Site, integration, command = "Nope" }), HttpStatusCode.BadRequest);
    }
}

public sealed class IntegrationCommandTestsOnSqlite() : IntegrationCommandTests(Provider.Sqlite);

public sealed class IntegrationCommandTestsOnPostgres() : IntegrationCommandTests(Provider.Postgres);
