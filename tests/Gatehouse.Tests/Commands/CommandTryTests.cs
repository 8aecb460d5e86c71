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

    [Theory]
    [InlineData("'<'.repeat(370000)", 370000)]
    [InlineData("'\u20ac'.repeat(1000000)", 1000000)]
    [InlineData("'\ud83d\ude00'.repeat(500000)", 1000000)]
    public async Task Regression_a_result_under_the_limit_is_read_back_whatever_characters_it_holds(string expression, int length)
    {
        var result = await Admin.PostAsync("/api/commands/try", new { command = Command($"function main() {{ return {expression}; }}") }, HttpStatusCode.OK);
        Assert.True(result["succeeded"]!.GetValue<bool>(), result["error"]?.GetValue<string>());
        Assert.Equal(length, result["result"]!.GetValue<string>().Length);

        var over = await Admin.PostAsync("/api/commands/try", new { command = Command("function main() { return '<'.repeat(1100000); }") }, HttpStatusCode.OK);
        Assert.Contains("larger than the limit of 1048576 characters", over["error"]!.GetValue<string>());
        Assert.DoesNotContain("frame", over["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Regression_a_long_try_holds_up_neither_saving_a_command_nor_is_its_wait_counted_and_a_second_try_meanwhile_is_503()
    {
        var quick = Command("function main() { return 1; }");
        await Admin.PostAsync("/api/commands/try", new { command = quick }, HttpStatusCode.OK); // the lanes' processes are started
        var slow = Command("function main() { var s = 'a'.repeat(1 << 22), n = 0; for (;;) { n += s.indexOf('b'); } }", timeoutSeconds: 8);
        var running = Admin.Http.PostAsJsonAsync("/api/commands/try", new { command = slow });
        try
        {
            await Task.Delay(1000);
            var second = await Admin.Http.PostAsJsonAsync("/api/commands/try", new { command = quick });
            var busy = await GatehouseClient.Problem(second, HttpStatusCode.ServiceUnavailable);
            Assert.Equal("busy", busy["code"]!.GetValue<string>());
            Assert.NotNull(second.Headers.RetryAfter);

            var name = Unique.Name("Saved meanwhile").Replace(' ', '_');
            await Admin.PostAsync("/api/commands", new { name, script = "function main() { return 1; }", parameters = Array.Empty<object>() }, HttpStatusCode.Created);
            Assert.False(running.IsCompleted, "saving a command waited for the try");
        }
        finally
        {
            await running; // the next test finds the try lane free
        }

        var ran = await GatehouseClient.Json(await running, HttpStatusCode.OK);
        Assert.False(ran["succeeded"]!.GetValue<bool>());
        Assert.Contains("longer than 8 s", ran["error"]!.GetValue<string>());
        Assert.InRange(ran["durationMs"]!.GetValue<double>(), 7900, 12000);
    }

    [Fact]
    public async Task Regression_a_try_whose_top_level_runs_long_does_not_hold_up_saving_a_command()
    {
        await Admin.PostAsync("/api/commands/try", new { command = Command("function main() { return 1; }") }, HttpStatusCode.OK); // the lanes' processes are started
        var slowTop = Command("var s = 'x'.repeat(1 << 22); for (;;) { s.indexOf('xy'); }\nfunction main() { return 1; }");
        var trying = Admin.Http.PostAsJsonAsync("/api/commands/try", new { command = slowTop });
        try
        {
            await Task.Delay(1000);
            var name = Unique.Name("Saved beside a try").Replace(' ', '_');
            await Admin.PostAsync("/api/commands", new { name, script = "function main() { return 1; }", parameters = Array.Empty<object>() }, HttpStatusCode.Created);
            Assert.False(trying.IsCompleted, "saving a command waited for the try's script check");
        }
        finally
        {
            await trying;
        }
        var refused = await GatehouseClient.Problem(await trying, HttpStatusCode.BadRequest);
        Assert.Equal("script", refused["member"]!.GetValue<string>());
    }

    [Fact]
    public async Task Regression_a_try_whose_caller_went_away_is_still_audited()
    {
        await Admin.PostAsync("/api/commands/try", new { command = Command("function main() { return 1; }") }, HttpStatusCode.OK);
        var name = Unique.Name("Abandoned try").Replace(' ', '_');
        using (var gone = new CancellationTokenSource(TimeSpan.FromSeconds(1.5)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Admin.Http.PostAsJsonAsync("/api/commands/try", new
            {
                command = new { name, script = "function main() { var s = 'a'.repeat(1 << 22), n = 0; for (;;) { n += s.indexOf('b'); } }", parameters = Array.Empty<object>(), timeoutSeconds = 20 },
            }, gone.Token));
        }
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var rows = await Admin.AuditAsync($"?action=command.tried&target={Uri.EscapeDataString(name)}");
            if (rows.Count == 1)
            {
                Assert.True(rows[0]!["detail"]!["abandoned"]!.GetValue<bool>());
                Assert.False(rows[0]!["detail"]!["succeeded"]!.GetValue<bool>());
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "the abandoned try was not audited");
            await Task.Delay(200);
        }
        await Admin.PostAsync("/api/commands/try", new { command = Command("function main() { return 2; }") }, HttpStatusCode.OK); // the lane is free again
    }

    [Fact]
    public async Task A_try_is_audited_with_the_scripts_hash_and_outcome_and_not_the_script_or_its_input()
    {
        var name = Unique.Name("Audited try").Replace(' ', '_');
        await Admin.PostAsync("/api/commands/try", new
        {
            command = new { name, script = "function main(p) { return p.Secret.length; }", parameters = new object[] { new { name = "Secret", type = "Text" } } },
            input = new Dictionary<string, object> { ["Secret"] = "hunter2-in-the-input" },
        }, HttpStatusCode.OK);
        var row = Assert.Single(await Admin.AuditAsync($"?action=command.tried&target={Uri.EscapeDataString(name)}"))!;
        Assert.True(row["detail"]!["succeeded"]!.GetValue<bool>());
        Assert.Equal(64, row["detail"]!["scriptSha256"]!.GetValue<string>().Length);
        Assert.DoesNotContain("hunter2", row.ToJsonString());
        Assert.DoesNotContain("p.Secret", row.ToJsonString());
    }

    [Fact]
    public async Task An_analyst_cannot_run_a_draft_script()
    {
        var analyst = await Admin.CreateAnalystAsync(fixture.Factory, GatehouseClient.DefaultSite);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.Http.PostAsJsonAsync("/api/commands/try", new { command = Command("function main() { return 1; }") })).StatusCode);
    }
}
