using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Security;

/// <summary>
/// Hostile scripts, as custom commands and as data formatters: each fails its own call within its
/// time limit + 1 s, and the server stays healthy and goes on processing other keys' events.
/// Scripts run in sandbox processes, so even what .NET cannot catch (a stack overflow) ends only one.
/// </summary>
public abstract class SandboxTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;
    private const string Site = GatehouseClient.DefaultSite;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    public static TheoryData<string, string, string> HostileScripts() => new()
    {
        { "deep array returned", "sandbox process", "function main() { var a = []; for (var i = 0; i < 20000; i++) { a = [a]; } return a; }" },
        { "deep array over the memory limit", "MiB", "function main() { var a = []; for (var i = 0; i < 2000000; i++) { a = [a]; } return a; }" },
        { "deep object stringified", "sandbox process", "function main() { var o = {}; for (var i = 0; i < 20000; i++) { o = { o: o }; } return JSON.stringify(o).length; }" },
        { "deep array joined", "sandbox process", "function main() { var a = []; for (var i = 0; i < 20000; i++) { a = [a]; } return String(a); }" },
        { "deep recursion", "recursed deeper", "function f(n) { return f(n + 1) + 1; } function main() { return f(0); }" },
        { "Atomics.wait", "is not defined", "function main() { var b = new Int32Array(new SharedArrayBuffer(16)); Atomics.wait(b, 0, 0); return 1; }" },
        { "huge string", "memory", "function main() { return 'a'.repeat(1 << 28).length; }" },
        { "huge array", "MiB", "function main() { var a = []; for (;;) { a.push(new Array(100000).fill('x')); } }" },
        { "endless loop", "statements", "function main() { for (;;) { } }" },
        { "catastrophic regex", "regular expression", "function main() { return /^(a+)+$/.test('a'.repeat(40) + 'b'); }" },
        { "huge output", "larger than the limit", "function main() { var s = 'x'.repeat(1 << 20); return [s, s, s]; }" },
    };

    private async Task<(string Name, string Key)> CommandAsync(string script)
    {
        var name = Unique.Name("Hostile").Replace(' ', '_');
        await Admin.PostAsync("/api/commands", new { name, script, timeoutSeconds = (int)Limit.TotalSeconds });
        var key = await Admin.PostAsync("/api/keys", new { name = Unique.Name("Key"), module = "UtilityCommand", command = name });
        return (name, (await Admin.GetAsync($"/api/keys/{key["id"]}/secret"))["headerValue"]!.GetValue<string>());
    }

    private async Task<HttpResponseMessage> RunAsync(string name, string key)
    {
        var body = new JsonObject { ["Username"] = "admin", ["Site"] = Site, ["CommandParams"] = new JsonObject() };
        var request = new HttpRequestMessage(HttpMethod.Post, $"/VSOC/api/Command/{name}") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("d3key", key);
        return await Admin.Http.SendAsync(request);
    }

    [Theory]
    [MemberData(nameof(HostileScripts))]
    public async Task A_hostile_custom_command_fails_its_own_call_and_the_server_stays_up(string attack, string expectedError, string script)
    {
        var (name, key) = await CommandAsync(script);
        var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$" });
        var intake = await Admin.CreateKeyAsync(integration);

        var (fineName, fineKey) = await CommandAsync("function main(p, c) { return 41 + 1; }");
        await RunAsync(fineName, fineKey); // a warm sandbox process: the clock below times the hostile call, not a start

        var clock = Stopwatch.StartNew();
        var run = RunAsync(name, key);
        // Meanwhile another key's events are processed.
        var other = await Admin.SendAndWaitAsync(integration, Site, new { alert = attack }, intake.Value);
        var result = await GatehouseClient.Json(await run, HttpStatusCode.OK);
        clock.Stop();

        Assert.Single(other["events"]!.AsArray());
        Assert.Contains(expectedError, result["error"]!.GetValue<string>());
        Assert.True(clock.Elapsed < Limit + TimeSpan.FromSeconds(1),
            $"{attack} took {clock.Elapsed.TotalSeconds:0.0} s (limit {Limit.TotalSeconds} s + 1 s)");
        Assert.Equal(HttpStatusCode.OK, (await Admin.Http.GetAsync("/health/live")).StatusCode);
        var after = await GatehouseClient.Json(await RunAsync(fineName, fineKey), HttpStatusCode.OK);
        Assert.Equal(42, after["returnData"]!.GetValue<int>());
    }

    [Fact]
    public async Task Big_integer_ids_through_a_formatter_keep_their_exact_value_so_different_events_are_not_merged()
    {
        var formatter = Unique.Name("Identity").Replace(' ', '_');
        await Admin.PostAsync("/api/commands", new { name = formatter, features = new[] { "DataFormatter" }, script = "function format(e) { return e; }" });
        var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$.events", fieldMappings = new[] { new { field = "External ID", source = "$.id" } } });
        var key = await Admin.IntakeKeyAsync(integration, new { dataFormatter = formatter });

        var first = await Admin.SendAndWaitAsync(integration, Site, """{"events":[{"title":"A","id":9007199254740993}]}""", key);
        var second = await Admin.SendAndWaitAsync(integration, Site, """{"events":[{"title":"B","id":9007199254740992}]}""", key);

        Assert.Equal("9007199254740993", first["events"]![0]!["fields"]!["External ID"]!.GetValue<string>());
        Assert.Single(second["events"]!.AsArray());
        Assert.Empty(second["deduplicated"]!.AsArray());
    }

    [Fact]
    public async Task A_script_that_crashes_its_sandbox_at_the_top_level_is_refused_when_saved()
    {
        var name = Unique.Name("TopLevel").Replace(' ', '_');
        var problem = await GatehouseClient.Problem(await Admin.Http.PostAsync("/api/commands", new StringContent(new JsonObject
        {
            ["name"] = name,
            ["script"] = "var a = []; for (var i = 0; i < 20000; i++) { a = [a]; } String(a); function main() { return 1; }",
        }.ToJsonString(), Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);

        Assert.True(problem.ToJsonString().Contains("sandbox process"), problem.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, (await Admin.Http.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task A_formatter_that_crashes_its_sandbox_ends_its_ingestion_failed_and_other_keys_go_on()
    {
        var formatter = Unique.Name("Crashing").Replace(' ', '_');
        await Admin.PostAsync("/api/commands", new
        {
            name = formatter, features = new[] { "DataFormatter" },
            script = "function format(e) { if (!e.crash) { return e; } var a = []; for (var i = 0; i < 20000; i++) { a = [a]; } return { deep: a }; }",
        });
        var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$" });
        var poisoned = await Admin.IntakeKeyAsync(integration, new { dataFormatter = formatter });
        var healthy = await Admin.CreateKeyAsync(integration);

        var accepted = await GatehouseClient.Json(await Admin.SendAsync(integration, Site, new { crash = true }, poisoned), HttpStatusCode.Accepted);
        var refid = accepted["refid"]!.GetValue<string>();
        var fine = await Admin.SendAndWaitAsync(integration, Site, new { crash = false }, poisoned);
        var other = await Admin.SendAndWaitAsync(integration, Site, new { alert = "other key" }, healthy.Value);

        var ingestion = await Admin.WaitForIngestionAsync(refid, "Failed");
        Assert.Equal("Failed", ingestion["status"]!.GetValue<string>());
        Assert.Contains("sandbox process", ingestion.ToJsonString());
        Assert.Single(fine["events"]!.AsArray());
        Assert.Single(other["events"]!.AsArray());
        Assert.Equal(HttpStatusCode.OK, (await Admin.Http.GetAsync("/health/live")).StatusCode);

        // The operator fixes the formatter and retries the quarantined ingestion.
        await Admin.PutAsync($"/api/commands/{formatter}", new { features = new[] { "DataFormatter" }, script = "function format(e) { return e; }" });
        await Admin.PostAsync($"/api/ingestions/{refid}/retry", new { }, HttpStatusCode.OK);
        ingestion = await Admin.WaitForIngestionAsync(refid, "Processed");
        Assert.Equal("Processed", ingestion["status"]!.GetValue<string>());
        Assert.Single(ingestion["events"]!.AsArray());
        var audit = await Admin.AuditAsync("?action=ingestion.retried");
        Assert.Contains(audit, a => a!["target"]!.GetValue<string>() == refid);
        await GatehouseClient.Problem(await Admin.Http.PostAsync($"/api/ingestions/{refid}/retry", null), HttpStatusCode.Conflict, "not_failed");
    }
}

/// <summary>Formatters get 10 s here, so a stack overflow on a loaded machine is still a crash, not an overrun.</summary>
public sealed class SandboxFixture() : GatehouseFixture(Provider.Sqlite, new() { ["Gatehouse:Sandbox:FormatterTimeoutSeconds"] = "10" });

public sealed class SandboxTestsOnSqlite(SandboxFixture fixture) : SandboxTests(fixture), IClassFixture<SandboxFixture>;

/// <summary>One request full of slow events uses its formatter time budget, then its other events fail at once.</summary>
public sealed class FormatterBudgetTests
{
    [Fact]
    public async Task A_request_of_slow_events_stops_at_its_formatter_budget_instead_of_holding_up_the_worker()
    {
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(Provider.Sqlite), new()
        {
            ["Gatehouse:Sandbox:FormatterTimeoutSeconds"] = "1", ["Gatehouse:Sandbox:FormatterBudgetSeconds"] = "1",
        });
        var admin = await factory.AdminAsync();
        var formatter = Unique.Name("Slow").Replace(' ', '_');
        await admin.PostAsync("/api/commands", new
        {
            name = formatter, features = new[] { "DataFormatter" },
            // Slow without allocating: Jint's memory limit counts every allocation, so a loop that builds strings trips it on a fast machine before the clock.
            script = "function format(e) { var s = JSON.stringify(e); var needle = '~z'; for (var i = 0; i < 300000; i++) { s.indexOf(needle); } return e; }",
        });
        var integration = await admin.CreateIntegrationAsync(new { mainJsonPath = "$[*]" });
        var key = await admin.IntakeKeyAsync(integration, new { dataFormatter = formatter });
        var padding = new string('x', 100_000);

        var clock = Stopwatch.StartNew();
        var result = await admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite, Enumerable.Range(0, 5).Select(i => new { i, padding }).ToArray(), key);
        clock.Stop();

        var errors = result["errors"]!.AsArray().Select(e => e!["message"]!.GetValue<string>()).ToList();
        Assert.Contains(errors, e => e.Contains("ran longer than 1 s", StringComparison.Ordinal));
        Assert.Equal(4, errors.Count(e => e.Contains("time budget", StringComparison.Ordinal)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed.TotalSeconds:0.0} s");
    }
}
