using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Commands;

/// <summary>Custom utility commands: JavaScript in the sandbox, behind the same endpoint as the built-ins.</summary>
public abstract class CustomCommandTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;
    private const string Site = GatehouseClient.DefaultSite;

    private async Task<(string Name, string Key)> CommandAsync(string script, object[]? parameters = null, string[]? features = null)
    {
        var name = Unique.Name("Custom").Replace(' ', '_');
        await Admin.PostAsync("/api/commands", new { name, parameters = parameters ?? [], script, features });
        var key = await Admin.PostAsync("/api/keys", new { name = Unique.Name("Key"), module = "UtilityCommand", command = name });
        return (name, (await Admin.GetAsync($"/api/keys/{key["id"]}/secret"))["headerValue"]!.GetValue<string>());
    }

    private async Task<HttpResponseMessage> RunAsync(string name, string key, object commandParams)
    {
        var body = new JsonObject { ["Username"] = "admin", ["Site"] = Site, ["CommandParams"] = System.Text.Json.JsonSerializer.SerializeToNode(commandParams) };
        var request = new HttpRequestMessage(HttpMethod.Post, $"/VSOC/api/Command/{name}") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("d3key", key);
        return await Admin.Http.SendAsync(request);
    }

    [Fact]
    public async Task A_custom_command_runs_main_with_its_validated_parameters_and_context()
    {
        var (name, key) = await CommandAsync(
            "function main(params, context) { return { returnData: { greeting: 'hello ' + params['Who'], times: params['Times'] }, rawData: context, contextData: [1] }; }",
            [new { name = "Who", type = "text", required = true }, new { name = "Times", type = "integer", @default = 2 }]);

        var result = await GatehouseClient.Json(await RunAsync(name, key, new Dictionary<string, object> { ["Who"] = "SOC" }), HttpStatusCode.OK);
        var invalid = await GatehouseClient.Problem(await RunAsync(name, key, new Dictionary<string, object> { ["Times"] = "many" }), HttpStatusCode.BadRequest);

        Assert.Equal("", result["error"]!.GetValue<string>());
        Assert.Equal("hello SOC", result["returnData"]!["greeting"]!.GetValue<string>());
        Assert.Equal(2, result["returnData"]!["times"]!.GetValue<int>());
        Assert.Equal(Site, result["rawData"]!["site"]!.GetValue<string>());
        Assert.Equal("admin", result["rawData"]!["username"]!.GetValue<string>());
        Assert.Equal(2, invalid["errors"]!.AsArray().Count);
    }

    [Fact]
    public async Task Secret_parameters_are_redacted_in_the_run_history()
    {
        var (name, key) = await CommandAsync("function main(params) { return params['Token'].length; }",
            [new { name = "Token", type = "text", required = true, secret = true }, new { name = "Host", type = "text" }]);

        var result = await GatehouseClient.Json(await RunAsync(name, key, new Dictionary<string, object> { ["Token"] = "hunter2-secret", ["Host"] = "ws-1" }), HttpStatusCode.OK);

        Assert.Equal(14, result["returnData"]!.GetValue<int>());
        var run = (await Admin.GetAsync($"/api/command-runs?command={Uri.EscapeDataString(name)}"))["items"]![0]!;
        Assert.Equal("[redacted]", run["parameters"]!["Token"]!.GetValue<string>());
        Assert.Equal("ws-1", run["parameters"]!["Host"]!.GetValue<string>());
        Assert.DoesNotContain(fixture.Factory.Logs, line => line.Contains("hunter2-secret", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("function main() { while (true) {} }")]
    [InlineData("function main() { var a = []; for (;;) { a.push('x'.repeat(10000)); } }")]
    [InlineData("function f(n) { return f(n + 1); } function main() { return f(0); }")]
    [InlineData("function main() { return /^(a+)+$/.test('a'.repeat(40) + 'b'); }")]
    [InlineData("function main() { return eval('1'); }")]
    [InlineData("function main() { throw new Error('broken on purpose'); }")]
    public async Task A_runaway_or_broken_script_fails_only_its_own_call(string script)
    {
        var (name, key) = await CommandAsync(script);
        var (healthyName, healthyKey) = await CommandAsync("function main() { return 'still here'; }");

        var clock = Stopwatch.StartNew();
        var failed = await GatehouseClient.Json(await RunAsync(name, key, new { }), HttpStatusCode.OK);
        var elapsed = clock.Elapsed;
        var healthy = await GatehouseClient.Json(await RunAsync(healthyName, healthyKey, new { }), HttpStatusCode.OK);

        Assert.NotEqual("", failed["error"]!.GetValue<string>());
        Assert.True(elapsed < TimeSpan.FromSeconds(15), $"the failing call took {elapsed}");
        Assert.Equal("still here", healthy["returnData"]!.GetValue<string>());
        Assert.Equal("Healthy", await (await Admin.Http.GetAsync("/health/ready")).Content.ReadAsStringAsync());
        var run = (await Admin.GetAsync($"/api/command-runs?command={Uri.EscapeDataString(name)}"))["items"]![0]!;
        Assert.False(string.IsNullOrEmpty(run["error"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Bad_definitions_are_refused_with_every_reason()
    {
        var problem = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/commands", new
        {
            name = "GetEvents", parameters = new object[] { new { name = "A", type = "text" }, new { name = "A", type = "number" } }, script = "function main( {", features = new[] { "Teleport" },
        }), HttpStatusCode.BadRequest, "validation_failed");
        var noMain = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/commands", new { name = Unique.Name("x").Replace(' ', '_'), script = "function other() {}" }), HttpStatusCode.BadRequest);
        var noFormat = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/commands", new
        {
            name = Unique.Name("x").Replace(' ', '_'), script = "function main() {}", features = new[] { "DataFormatter" },
        }), HttpStatusCode.BadRequest);
        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/commands", new { name = "y", script = "function main() {}", parameters = new[] { new { name = "p", type = "colour" } } }), HttpStatusCode.BadRequest);

        Assert.Equal(4, problem["errors"]!.AsArray().Count);
        Assert.Contains("function main", noMain["Error"]!.GetValue<string>());
        Assert.Contains("function format", noFormat["Error"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_updated_script_is_used_on_the_next_call_and_formatters_are_listed_with_their_feature()
    {
        var (name, key) = await CommandAsync("function main() { return 1; }");
        Assert.Equal(1, (await GatehouseClient.Json(await RunAsync(name, key, new { }), HttpStatusCode.OK))["returnData"]!.GetValue<int>());

        await Admin.PutAsync($"/api/commands/{name}", new { script = "function main() { return 2; } function format(e) { return e; }", features = new[] { "DataFormatter" } });

        Assert.Equal(2, (await GatehouseClient.Json(await RunAsync(name, key, new { }), HttpStatusCode.OK))["returnData"]!.GetValue<int>());
        var listed = (await Admin.GetAsync("/api/commands")).AsArray();
        Assert.Contains(listed, c => c!["name"]!.GetValue<string>() == name && c["features"]![0]!.GetValue<string>() == "DataFormatter");
        Assert.Contains(listed, c => c!["name"]!.GetValue<string>() == "GetIncidents" && c["builtIn"]!.GetValue<bool>());
        await GatehouseClient.Problem(await fixture.Factory.CreateClient().GetAsync("/api/commands"), HttpStatusCode.Unauthorized);
    }
}

public sealed class CustomCommandTestsOnSqlite(SqliteFixture fixture) : CustomCommandTests(fixture), IClassFixture<SqliteFixture>;

public sealed class CustomCommandTestsOnPostgres(PostgresFixture fixture) : CustomCommandTests(fixture), IClassFixture<PostgresFixture>;
