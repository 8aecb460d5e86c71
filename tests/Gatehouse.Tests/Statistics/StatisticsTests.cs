using System.Net;
using System.Text.Json.Nodes;
using Gatehouse.Features.Statistics;
using Gatehouse.Tests.Console;
using Gatehouse.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Tests.Statistics;

/// <summary>The dashboard's figures and the ATT&amp;CK matrix, counted from real ingestions, per site and role.</summary>
public abstract class StatisticsTests(Provider provider)
{
    private static int[] Ints(JsonNode? array) => array!.AsArray().Select(n => n!.GetValue<int>()).ToArray();

    [Fact]
    public async Task The_dashboard_counts_what_a_site_received_failed_and_detected_and_an_analyst_sees_only_their_sites()
    {
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(provider),
            new() { ["Gatehouse:Attack:BundlePath"] = SharedData.Path("attack/enterprise-attack-18.1.json") });
        var admin = await factory.AdminAsync();
        var site = await admin.CreateSiteAsync();
        var other = await admin.CreateSiteAsync();
        var integration = await admin.CreateIntegrationAsync(new { mainJsonPath = "$.alerts[*]", fieldMappings = new[] { new { field = "Title", source = "$.title" } } });
        var view = await admin.PostAsync("/api/keys", new { name = Unique.Name("Stats"), module = "DataIngestion", site, integration, intake = "Event", runMitreTtpSearch = true });
        var key = (await admin.GetAsync($"/api/keys/{view["id"]}/secret"))["headerValue"]!.GetValue<string>();

        await admin.SendAndWaitAsync(integration, site, new { alerts = new object[]
        {
            new { title = "Encoded PowerShell", tags = new[] { "attack.t1059.001" } },
            new { title = "PowerShell again", tags = new[] { "attack.t1059.001", "attack.t1059.001" } },
            new { title = "cmd", tags = new[] { "attack.t1059.003" } },
            new { title = "LSASS", tags = new[] { "attack.t1003.001" } },
            new { title = "Execution only", technique = "TA0002" },
            7,
        } }, key);
        await admin.SendAndWaitAsync(integration, site, new { nothing = "here" }, key);
        await admin.SendAndWaitAsync(integration, site, new { elsewhere = "too" }, key);

        var stats = await admin.GetAsync($"/api/statistics?site={Uri.EscapeDataString(site)}");
        Assert.Equal("hour", stats["bucket"]!.GetValue<string>());
        Assert.Equal(Ints(stats["received"]).Length, stats["buckets"]!.AsArray().Count);
        Assert.Equal(3, Ints(stats["received"]).Sum());
        Assert.Equal(3, Ints(stats["processed"]).Sum());
        Assert.Equal(5, Ints(stats["eventsCreated"]).Sum());
        Assert.Equal(0, Ints(stats["backlog"])[^1]);
        var failures = stats["failures"]!.AsArray();
        Assert.Equal(["The main JSON path '…' selected nothing in the request body", "Expected a JSON object but found a number; it was skipped"],
            failures.Select(f => f!["reason"]!.GetValue<string>()));
        Assert.Equal([2, 1], failures.Select(f => f!["count"]!.GetValue<int>()));
        var techniques = stats["techniques"]!.AsArray();
        Assert.Equal("T1059.001", techniques[0]!["id"]!.GetValue<string>());
        Assert.Equal("PowerShell", techniques[0]!["name"]!.GetValue<string>());
        Assert.Equal(2, techniques[0]!["events"]!.GetValue<int>()); // an event naming it twice counts once

        var matrix = (await admin.GetAsync($"/api/statistics/attack-matrix?site={Uri.EscapeDataString(site)}"))["matrix"]!;
        Assert.Equal(5, matrix["events"]!.GetValue<int>());
        var columns = matrix["columns"]!.AsArray();
        Assert.Equal("TA0043", columns[0]!["tacticId"]!.GetValue<string>()); // Reconnaissance first, as MITRE's matrix orders them
        var execution = columns.Single(c => c!["tacticId"]!.GetValue<string>() == "TA0002")!;
        Assert.Equal(1, execution["tacticOnlyEvents"]!.GetValue<int>());
        var interpreter = execution["techniques"]!.AsArray().Single(t => t!["id"]!.GetValue<string>() == "T1059")!;
        Assert.Equal(3, interpreter["events"]!.GetValue<int>());
        Assert.Equal(["T1059.001", "T1059.003"], interpreter["subTechniques"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()));
        var credentials = columns.Single(c => c!["tacticId"]!.GetValue<string>() == "TA0006")!["techniques"]!.AsArray();
        Assert.Equal("T1003", Assert.Single(credentials)!["id"]!.GetValue<string>());

        var analyst = await admin.CreateAnalystAsync(factory, other);
        var theirs = await analyst.GetAsync("/api/statistics");
        Assert.Equal(0, Ints(theirs["received"]).Sum());
        Assert.Empty(theirs["failures"]!.AsArray());
        Assert.Equal(0, (await analyst.GetAsync("/api/statistics/attack-matrix"))["matrix"]!["events"]!.GetValue<int>());
        var hidden = await GatehouseClient.Problem(await analyst.Http.GetAsync($"/api/statistics?site={Uri.EscapeDataString(site)}"), HttpStatusCode.BadRequest);
        Assert.Equal("site", hidden["member"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_range_is_refused_when_it_ends_before_it_starts_or_spans_more_than_92_days_and_longer_ranges_count_per_day()
    {
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(provider));
        var admin = await factory.AdminAsync();
        var backwards = await GatehouseClient.Problem(await admin.Http.GetAsync("/api/statistics?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z"), HttpStatusCode.BadRequest);
        Assert.Equal("from", backwards["member"]!.GetValue<string>());
        await GatehouseClient.Problem(await admin.Http.GetAsync("/api/statistics/attack-matrix?from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z"), HttpStatusCode.BadRequest);
        await GatehouseClient.Problem(await admin.Http.GetAsync("/api/statistics?from=yesterday"), HttpStatusCode.BadRequest);
        var week = await admin.GetAsync("/api/statistics?from=2026-11-24T10:30:00Z&to=2026-12-01T10:30:00Z");
        Assert.Equal("day", week["bucket"]!.GetValue<string>());
        Assert.Equal(8, week["buckets"]!.AsArray().Count); // aligned to whole UTC days: Nov 24 00:00 to Dec 2 00:00
        Assert.Equal("2026-11-24T00:00:00+00:00", week["from"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/api/statistics?from=0001-01-01T00:00:00Z", "from")]
    [InlineData("/api/statistics?to=9999-12-31T23:59:59Z", "to")]
    [InlineData("/api/statistics/attack-matrix?to=0001-01-01T00:00:00Z", "to")]
    [InlineData("/api/statistics/attack-matrix?from=9999-12-30T00:00:00Z", "from")]
    public async Task Regression_a_date_at_the_end_of_the_calendar_is_a_400_naming_it_not_a_500(string url, string member)
    {
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(provider));
        var admin = await factory.AdminAsync();
        var problem = await GatehouseClient.Problem(await admin.Http.GetAsync(url), HttpStatusCode.BadRequest);
        Assert.Equal(member, problem["member"]!.GetValue<string>());
    }
    [Theory]
    [InlineData("/console?from=0001-01-01T00:00")]
    [InlineData("/console?to=9999-12-31T23:59")]
    [InlineData("/console/attack?from=0001-01-01T00:00&to=0001-01-02T00:00")]
    public async Task Regression_the_dashboard_and_matrix_explain_a_date_at_the_end_of_the_calendar_instead_of_failing(string url)
    {
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(provider));
        var session = await ConsoleSession.AdminAsync(factory);
        var response = await session.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("must be between 1970-01-01 and 9999-01-01", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task When_the_statistics_gate_is_full_a_read_is_a_503_with_Retry_After_and_health_and_intake_stay_responsive()
    {
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(provider));
        var admin = await factory.AdminAsync();
        var gate = factory.Services.GetRequiredService<StatisticsGate>();
        var release = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        var holders = Enumerable.Range(0, StatisticsGate.Slots + StatisticsGate.MaxWaiting)
            .Select(_ => gate.RunAsync(() => release.Task, CancellationToken.None)).ToList();

        var busy = await admin.Http.GetAsync("/api/statistics");
        var problem = await GatehouseClient.Problem(busy, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("busy", problem["code"]!.GetValue<string>());
        Assert.Equal(TimeSpan.FromSeconds(5), busy.Headers.RetryAfter!.Delta);
        await GatehouseClient.Problem(await admin.Http.GetAsync("/api/statistics/attack-matrix"), HttpStatusCode.ServiceUnavailable);
        Assert.Contains("Too many statistics", await (await (await ConsoleSession.AdminAsync(factory)).Http.GetAsync("/console")).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync("/health/live")).StatusCode);

        release.SetResult(new object());
        await Task.WhenAll(holders);
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync("/api/statistics")).StatusCode);
    }
}

public sealed class StatisticsTestsOnSqlite() : StatisticsTests(Provider.Sqlite);

public sealed class StatisticsTestsOnPostgres() : StatisticsTests(Provider.Postgres);
