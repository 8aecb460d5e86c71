using System.Net;
using System.Text.RegularExpressions;
using Gatehouse.Features.Intake;
using Gatehouse.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Tests.Intake;

/// <summary>Group commit and backpressure: shared commits under concurrency, 503 with Retry-After past the bounds, nothing acknowledged lost.</summary>
public abstract partial class BackpressureTests(Provider provider)
{
    private const string Site = GatehouseClient.DefaultSite;

    private static async Task<(GatehouseFactory Factory, GatehouseClient Admin, string Integration, string Key)> StartAsync(Provider provider, Dictionary<string, string?> settings)
    {
        var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(provider), settings);
        var admin = await factory.AdminAsync();
        var integration = await admin.CreateIntegrationAsync(new { mainJsonPath = "$" });
        var key = await admin.IntakeKeyAsync(integration, new { rateLimitPerSecond = 100_000 });
        return (factory, admin, integration, key);
    }

    [Fact]
    public async Task Past_the_backlog_bound_intake_answers_503_with_Retry_After_and_stores_nothing()
    {
        var (factory, admin, integration, key) = await StartAsync(provider, new() { ["Gatehouse:Intake:Process"] = "false", ["Gatehouse:Intake:MaxBacklog"] = "3" });
        await using var _ = factory;
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await admin.SendAsync(integration, Site, new { n = i }, key)).StatusCode);
        }
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // the backlog is counted twice a second

        var refused = await admin.SendAsync(integration, Site, new { n = 3 }, key);

        var problem = await GatehouseClient.Problem(refused, HttpStatusCode.ServiceUnavailable, "backlog_full");
        Assert.Equal("5", refused.Headers.RetryAfter?.ToString());
        Assert.Contains("retry later", problem["Error"]!.GetValue<string>());
        Assert.Equal(3, (await admin.GetAsync("/api/ingestions"))["total"]!.GetValue<int>());
        var metrics = await (await factory.CreateClient().GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.True(Regex.IsMatch(metrics, @"gatehouse_intake_refused_total\{[^}]*reason=""backlog_full""[^}]*\} \d+"), metrics);
        Assert.Equal(3, factory.Services.GetRequiredService<IntakeBacklog>().Count);
        Assert.Contains(factory.Logs, l => l.Contains("Intake-only node"));
    }

    [Fact]
    public async Task Concurrent_requests_share_commits_and_every_acknowledged_request_is_stored()
    {
        var (factory, admin, integration, key) = await StartAsync(provider, new() { ["Gatehouse:Intake:Process"] = "false" });
        await using var _ = factory;
        const int requests = 300;

        var answers = await Task.WhenAll(Enumerable.Range(0, requests).Select(async i =>
            await GatehouseClient.Json(await admin.SendAsync(integration, Site, new { n = i }, key), HttpStatusCode.Accepted)));

        var refids = answers.Select(a => a["refid"]!.GetValue<string>()).ToHashSet();
        Assert.Equal(requests, refids.Count);
        Assert.Equal(requests, (await admin.GetAsync("/api/ingestions?pageSize=500"))["items"]!.AsArray().Count(i => refids.Contains(i!["refid"]!.GetValue<string>())));
        var (commits, stored) = factory.Services.GetRequiredService<IngestionWriter>().Totals;
        Assert.Equal(requests, stored);
        Assert.True(commits < requests, $"{requests} requests took {commits} commits: none was shared");
        var metrics = await (await factory.CreateClient().GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.Matches(BatchCount(), metrics);
    }

    [Fact]
    public async Task A_full_commit_queue_refuses_with_503_and_loses_nothing_it_acknowledged()
    {
        var (factory, admin, integration, key) = await StartAsync(provider, new() { ["Gatehouse:Intake:MaxQueuedWrites"] = "1", ["Gatehouse:Intake:Process"] = "false" });
        await using var _ = factory;

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => admin.SendAsync(integration, Site, new { n = i }, key)));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable, r.StatusCode.ToString()));
        Assert.All(responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable), r => Assert.Equal("1", r.Headers.RetryAfter?.ToString()));
        var acknowledged = new HashSet<string>();
        foreach (var response in responses.Where(r => r.StatusCode == HttpStatusCode.Accepted))
        {
            acknowledged.Add((await GatehouseClient.Json(response, HttpStatusCode.Accepted))["refid"]!.GetValue<string>());
        }
        Assert.NotEmpty(acknowledged);
        var stored = (await admin.GetAsync("/api/ingestions?pageSize=500"))["items"]!.AsArray().Select(i => i!["refid"]!.GetValue<string>()).ToHashSet();
        Assert.Subset(stored, acknowledged);
        Assert.Equal(acknowledged.Count, stored.Count);
    }

    [GeneratedRegex(@"gatehouse_intake_commit_batch_size_count\{[^}]*\} (\d+)")]
    private static partial Regex BatchCount();

}

public sealed class BackpressureTestsOnSqlite() : BackpressureTests(Provider.Sqlite);

public sealed class BackpressureTestsOnPostgres() : BackpressureTests(Provider.Postgres);
