using System.Net;
using System.Net.Http.Json;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Commands;

/// <summary>"Run with these parameters": a draft command or formatter run once in the sandbox, nothing written.</summary>
public sealed class CommandTryTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    private GatehouseClient Admin => fixture.Admin;

    private static object Command(string script, object[]? parameters = null, string[]? features = null, int? timeoutSeconds = null) =>
        new { script, parameters = parameters ?? [], features = features ?? [], timeoutSeconds };

    [Fact]
    public async Task A_draft_command_runs_with_its_parameters_validated_and_defaults_filled_in_and_nothing_is_saved()
    {
        var name = Unique.Name("Draft").Replace(' ', '_');
        var result = await Admin.PostAsync("/api/commands/try", new
        {
            command = new { name, script = "function main(params, context) { return { returnData: { who: params.Who, times: params.Times, site: context.site, user: context.username } }; }",
                parameters = new object[] { new { name = "Who", type = "Text", required = true }, new { name = "Times", type = "Integer", @default = 2 } } },
            input = new Dictionary<string, object> { ["Who"] = "SOC" },
        }, HttpStatusCode.OK);

        Assert.True(result["succeeded"]!.GetValue<bool>());
        var data = result["result"]!["returnData"]!;
        Assert.Equal("SOC", data["who"]!.GetValue<string>());
        Assert.Equal(2, data["times"]!.GetValue<int>());
        Assert.Equal(GatehouseClient.DefaultSite, data["site"]!.GetValue<string>());
        Assert.Equal("admin", data["user"]!.GetValue<string>());
        Assert.True(result["durationMs"]!.GetValue<double>() >= 0);
        await GatehouseClient.Problem(await Admin.Http.GetAsync($"/api/commands/{name}"), HttpStatusCode.NotFound);

        var missing = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/commands/try", new
        {
            command = Command("function main(p) { return p; }", [new { name = "Who", type = "Text", required = true }]), input = new { },
        }), HttpStatusCode.BadRequest);
        Assert.Equal("input", missing["member"]!.GetValue<string>());
        Assert.Contains("Who", missing["Error"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_draft_formatter_is_given_the_sample_event_and_null_means_the_event_would_be_dropped()
    {
        var formatter = Command("function format(event, context) { if (event.noise) return null; event.host = event.host.toLowerCase(); event.site = context.site; return event; }",
            features: ["DataFormatter"]);
        var kept = await Admin.PostAsync("/api/commands/try", new { command = formatter, input = new { host = "WS-01.EXAMPLE.COM" } }, HttpStatusCode.OK);
        Assert.Equal("ws-01.example.com", kept["result"]!["host"]!.GetValue<string>());
        Assert.Equal(GatehouseClient.DefaultSite, kept["result"]!["site"]!.GetValue<string>());
        var dropped = await Admin.PostAsync("/api/commands/try", new { command = formatter, input = new { noise = true } }, HttpStatusCode.OK);
        Assert.True(dropped["succeeded"]!.GetValue<bool>());
        Assert.Null(dropped["result"]);
        var notAnEvent = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/commands/try", new { command = formatter, input = new[] { 1 } }), HttpStatusCode.BadRequest);
        Assert.Equal("input", notAnEvent["member"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_script_that_does_not_parse_lacks_its_function_or_names_an_unknown_site_is_refused_before_it_runs()
    {
        var syntax = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/commands/try", new { command = Command("function main( { return 1; }") }), HttpStatusCode.BadRequest);
        Assert.Equal("script", syntax["member"]!.GetValue<string>());
        var noFormat = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/commands/try",
            new { command = Command("function main(p) { return p; }", features: ["DataFormatter"]), input = new { } }), HttpStatusCode.BadRequest);
        Assert.Contains("format(event, context)", noFormat["Error"]!.GetValue<string>());
        var site = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/commands/try",
            new { command = Command("function main(p) { return p; }"), site = "Nowhere at all" }), HttpStatusCode.BadRequest);
        Assert.Equal("site", site["member"]!.GetValue<string>());
        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/commands/try", new { input = new { } }), HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("function main() { throw new Error('no such host'); }", "no such host")]
    [InlineData("function main() { for (;;) {} }", "statements")]
    [InlineData("function main() { function f() { return f() + 1; } return f(); }", "")]
    public async Task A_hostile_or_failing_draft_fails_its_own_run_and_the_next_run_works(string script, string expected)
    {
        var failed = await Admin.PostAsync("/api/commands/try", new { command = Command(script, timeoutSeconds: 1) }, HttpStatusCode.OK);
        Assert.False(failed["succeeded"]!.GetValue<bool>());
        Assert.Contains(expected, failed["error"]!.GetValue<string>());
        Assert.Null(failed["result"]);
        var next = await Admin.PostAsync("/api/commands/try", new { command = Command("function main() { return 42; }") }, HttpStatusCode.OK);
        Assert.Equal(42, next["result"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_analyst_cannot_run_a_draft_script()
    {
        var analyst = await Admin.CreateAnalystAsync(fixture.Factory, GatehouseClient.DefaultSite);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.Http.PostAsJsonAsync("/api/commands/try", new { command = Command("function main() { return 1; }") })).StatusCode);
    }
}
