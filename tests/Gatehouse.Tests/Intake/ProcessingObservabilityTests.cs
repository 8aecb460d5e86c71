using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using System.Net.Http.Json;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Intake;

/// <summary>What an operator sees of processing: spans that follow one request, linked to its trace, and counters.</summary>
public sealed class ProcessingObservabilityTests
{
    private const string Site = GatehouseClient.DefaultSite;

    [Fact]
    public async Task One_request_passes_the_front_door_the_writer_the_planner_and_the_applier_once_and_processing_links_to_its_trace()
    {
        var stopped = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("Gatehouse.", StringComparison.Ordinal) || source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(Provider.Sqlite));
        var admin = await factory.AdminAsync();
        var integration = await admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.title" } } });
        var key = await admin.IntakeKeyAsync(integration);
        var traceId = ActivityTraceId.CreateRandom();

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/VSOC/api/Data/{Uri.EscapeDataString(integration)}/{Uri.EscapeDataString(Site)}/CreateEvents?wait=10")
        {
            Content = new StringContent("""{"title":"traced"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("d3key", key);
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        var result = await GatehouseClient.Json(await admin.Http.SendAsync(request), HttpStatusCode.OK);
        var refid = result["refid"]!.GetValue<string>();
        Assert.Single(result["events"]!.AsArray());

        Assert.Single(stopped, a => a.OperationName == "gatehouse.webhook.admit" && a.TraceId == traceId);
        Assert.Single(stopped, a => a.OperationName == "gatehouse.intake.store" && a.TraceId == traceId && (string?)a.GetTagItem("gatehouse.refid") == refid);
        var processing = Assert.Single(stopped, a => a.OperationName == "gatehouse.intake.process" && ((string?)a.GetTagItem("gatehouse.refids"))?.Contains(refid) == true);
        Assert.Contains(processing.Links, link => link.Context.TraceId == traceId);
        Assert.Single(stopped, a => a.OperationName == "gatehouse.intake.plan" && a.ParentSpanId == processing.SpanId);
        Assert.Single(stopped, a => a.OperationName == "gatehouse.intake.apply" && a.ParentSpanId == processing.SpanId);
    }
}

/// <summary>
/// Meters are process-wide: every test host in this process reports into the same instruments, so the
/// counting test runs alone (a serial collection) and reads what its own requests added.
/// </summary>
[CollectionDefinition(nameof(MetricsCollection), DisableParallelization = true)]
public sealed class MetricsCollection;

[Collection(nameof(MetricsCollection))]
public sealed partial class ProcessingMetricsTests
{
    private const string Site = GatehouseClient.DefaultSite;

    [Fact]
    public async Task Metrics_count_the_events_processed_deduplicated_and_the_techniques_found()
    {
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(Provider.Sqlite));
        var admin = await factory.AdminAsync();
        var integration = await admin.CreateIntegrationAsync(new
        {
            mainJsonPath = "$[*]", fieldMappings = new[] { new { field = "Title", source = "$.title" }, new { field = "External ID", source = "$.id" } },
        });
        var key = await admin.IntakeKeyAsync(integration, new { runMitreTtpSearch = true });
        string[] names = ["gatehouse_intake_events_processed_total", "gatehouse_intake_events_deduplicated_total", "gatehouse_intake_techniques_found_total", "gatehouse_intake_processed_total"];
        var before = Counters(await admin.Http.GetStringAsync("/metrics"), names);

        await admin.SendAndWaitAsync(integration, Site, new[]
        {
            new { id = "m-1", title = "Encoded PowerShell, T1059.001" }, new { id = "m-1", title = "the same alert again" }, new { id = "m-2", title = "nothing known" },
        }, key);

        await Task.Delay(TimeSpan.FromSeconds(1)); // the exporter caches a scrape briefly
        var metrics = await admin.Http.GetStringAsync("/metrics");
        var after = Counters(metrics, names);
        Assert.Equal([2, 1, 1, 1], names.Select(n => after[n] - before[n]));
        Assert.Contains("gatehouse", TargetInfo().Match(metrics).Value, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^target_info\{[^}]*service_name=""gatehouse""[^}]*\}", RegexOptions.Multiline)]
    private static partial Regex TargetInfo();

    private static Dictionary<string, double> Counters(string metrics, string[] names) => names.ToDictionary(n => n, n => Counter(metrics, n));

    private static double Counter(string metrics, string name)
    {
        var match = Regex.Match(metrics, $@"^{name}(?:\{{[^}}]*\}})? (\S+)", RegexOptions.Multiline);
        return !match.Success ? 0 : double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>Definitions are cached by the processing node; a change on any node applies to the very next ingestion.</summary>
public abstract class CachedDefinitionTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;
    private const string Site = GatehouseClient.DefaultSite;

    [Fact]
    public async Task A_new_or_deleted_automation_rule_and_a_changed_key_option_apply_to_the_next_ingestion()
    {
        var site = await Admin.CreateSiteAsync();
        var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.title" } } });
        var keyId = (await Admin.PostAsync("/api/keys", new { name = Unique.Name("Cached"), module = "DataIngestion", site, integration, intake = "Event", runEventAutomationRules = true }))["id"]!;
        var key = (await Admin.GetAsync($"/api/keys/{keyId}/secret"))["headerValue"]!.GetValue<string>();
        async Task<System.Text.Json.Nodes.JsonNode> SendAsync(string title) =>
            Assert.Single((await Admin.SendAndWaitAsync(integration, site, new { title = $"{title} T1059.001" }, key))["events"]!.AsArray())!;

        Assert.Equal("New", (await SendAsync("before"))["status"]!.GetValue<string>());
        var rule = await Admin.PostAsync("/api/automation-rules", new
        {
            name = Unique.Name("Noise"), order = 1, type = "Dismissal", site,
            condition = new { field = "Title", @operator = "contains", value = "T1059" }, dismissal = new { reasonCode = "NOISE", reason = "cached?" },
        });
        Assert.Equal("Dismissed", (await SendAsync("with rule"))["status"]!.GetValue<string>());
        await Admin.Http.DeleteAsync($"/api/automation-rules/{rule["id"]}");
        var afterDelete = await SendAsync("rule deleted");
        Assert.Equal("New", afterDelete["status"]!.GetValue<string>());
        Assert.Empty(afterDelete["techniques"]?.AsArray() ?? []);

        await Admin.Http.PatchAsJsonAsync($"/api/keys/{keyId}", new { runMitreTtpSearch = true });
        Assert.Equal("T1059.001", (await SendAsync("search on"))["techniques"]![0]!["techniqueId"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_new_playbook_version_or_a_deleted_playbook_applies_to_the_next_ingestion()
    {
        var playbook = Unique.Name("Cached");
        object Definition(string text) => new
        {
            name = playbook, kind = "Event",
            tasks = new[] { new { id = "extract", command = "ExtractArtifacts", @params = new Dictionary<string, object> { ["Text"] = text } } },
        };
        await Admin.PostAsync("/api/playbooks", Definition("first"));
        var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.title" } } });
        var key = await Admin.IntakeKeyAsync(integration, new { eventPlaybook = playbook });
        async Task<System.Text.Json.Nodes.JsonNode> RunAsync()
        {
            var result = await Admin.SendAndWaitAsync(integration, Site, new { title = "x" }, key);
            var steps = (await Admin.GetAsync($"/api/ingestions/{result["refid"]}"))["steps"]!.AsArray();
            return steps[0]!["playbookRun"] is { } id ? await Admin.GetAsync($"/api/playbook-runs/{id.GetValue<string>()}") : result;
        }

        Assert.Equal(1, (await RunAsync())["version"]!.GetValue<int>());
        await Admin.PutAsync($"/api/playbooks/{Uri.EscapeDataString(playbook)}", Definition("second"));
        Assert.Equal(2, (await RunAsync())["version"]!.GetValue<int>());
        await Admin.Http.DeleteAsync($"/api/playbooks/{Uri.EscapeDataString(playbook)}");
        var afterDelete = await RunAsync();
        Assert.Contains("does not exist (any more)", afterDelete["errors"]![0]!["message"]!.GetValue<string>());
    }
}

public sealed class CachedDefinitionTestsOnSqlite(SqliteFixture fixture) : CachedDefinitionTests(fixture), IClassFixture<SqliteFixture>;

public sealed class CachedDefinitionTestsOnPostgres(PostgresFixture fixture) : CachedDefinitionTests(fixture), IClassFixture<PostgresFixture>;
