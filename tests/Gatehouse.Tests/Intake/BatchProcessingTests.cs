using System.Net;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Intake;

/// <summary>Stored ingestions processed together in one transaction, as a node catching up on a backlog does.</summary>
public abstract class BatchProcessingTests(Provider provider)
{
    private const string Site = GatehouseClient.DefaultSite;

    /// <summary>A backlog: requests stored by an intake-only node (nothing processes them), with what <paramref name="setUp"/> makes (integration, key).</summary>
    private static async Task<(GatehouseStore Store, string Integration, List<string> Refids)> BacklogAsync(
        Provider provider, Func<GatehouseClient, Task<(string Integration, string Key)>> setUp, IEnumerable<object> bodies)
    {
        var store = await GatehouseStore.CreateOrSkipAsync(provider);
        await using var intakeOnly = new GatehouseFactory(store, new() { ["Gatehouse:Intake:Process"] = "false" });
        var admin = await intakeOnly.AdminAsync();
        var (integration, key) = await setUp(admin);
        var refids = new List<string>();
        foreach (var body in bodies)
        {
            refids.Add((await GatehouseClient.Json(await admin.SendAsync(integration, Site, body, key), HttpStatusCode.Accepted))["refid"]!.GetValue<string>());
        }
        return (store, integration, refids);
    }

    [Fact]
    public async Task A_backlog_is_processed_in_batches_and_duplicates_within_a_batch_are_still_recognised()
    {
        var (store, integration, refids) = await BacklogAsync(provider, async admin =>
        {
            var created = await admin.CreateIntegrationAsync(new
            {
                mainJsonPath = "$", fieldMappings = new[] { new { field = "External ID", source = "$.id" }, new { field = "Title", source = "$.title" } },
            });
            return (created, await admin.IntakeKeyAsync(created));
        }, new[] { ("alert-1", "first"), ("alert-2", "other"), ("alert-1", "repeat"), ("alert-1", "again") }.Select(a => (object)new { id = a.Item1, title = a.Item2 }));

        await using var processing = new GatehouseFactory(store);
        var client = await processing.AdminAsync();
        var views = new List<System.Text.Json.Nodes.JsonNode>();
        foreach (var refid in refids)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            System.Text.Json.Nodes.JsonNode view;
            while ((view = await client.GetAsync($"/api/ingestions/{refid}"))["status"]!.GetValue<string>() != "Processed")
            {
                Assert.True(DateTime.UtcNow < deadline, $"{refid} was not processed");
                await Task.Delay(100);
            }
            views.Add(view);
        }

        var events = (await client.GetAsync($"/api/events?integration={Uri.EscapeDataString(integration)}"))["items"]!.AsArray();
        Assert.Equal(["first", "other"], events.Select(e => e!["fields"]!["Title"]!.GetValue<string>()).Order());
        Assert.Single(views[2]["deduplicated"]!.AsArray());
        Assert.Single(views[3]["deduplicated"]!.AsArray());
        // Had the batch not recognised its own duplicates, the unique index would have failed it and each been redone alone.
        Assert.DoesNotContain(processing.Logs, l => l.Contains("could not be saved together"));
        Assert.DoesNotContain(views[2]["events"]!.AsArray(), e => e!["fields"]!["Title"]!.GetValue<string>() == "repeat");
    }

    [Fact]
    public async Task Slow_formatters_held_a_whole_batch_past_its_lease()
    {
        // Regression: a batch was planned only once every request in it was formatted, so slow formatters could keep it past the lease.
        var (store, _, refids) = await BacklogAsync(provider, async admin =>
        {
            var formatter = Unique.Name("Slow").Replace(' ', '_');
            await admin.PostAsync("/api/commands", new { name = formatter, features = new[] { "DataFormatter" }, script = "function format(e) { if (e.slow) { var s = JSON.stringify(e); for (var i = 0; i < 300000; i++) { s.indexOf('~z'); } } return e; }" });
            var created = await admin.CreateIntegrationAsync(new { mainJsonPath = "$" });
            return (created, await admin.IntakeKeyAsync(created, new { dataFormatter = formatter }));
        }, new[] { true, true, true, false }.Select(slow => (object)new { slow, padding = new string('x', 100_000) }));

        await using var processing = new GatehouseFactory(store, new() { ["Gatehouse:Intake:LeaseSeconds"] = "6", ["Gatehouse:Sandbox:FormatterTimeoutSeconds"] = "2" });
        var client = await processing.AdminAsync();
        foreach (var refid in refids)
        {
            var view = await client.WaitForIngestionAsync(refid, "Processed", TimeSpan.FromSeconds(60));
            Assert.Equal("Processed", view["status"]!.GetValue<string>());
            Assert.Equal(1, view["attempts"]!.GetValue<int>());
        }
        Assert.Contains(processing.Logs, l => l.Contains("handed back for the next claim", StringComparison.Ordinal));
        Assert.DoesNotContain(processing.Logs, l => l.Contains("lease ran out", StringComparison.Ordinal));
    }
}

public sealed class BatchProcessingTestsOnSqlite() : BatchProcessingTests(Provider.Sqlite);

public sealed class BatchProcessingTestsOnPostgres() : BatchProcessingTests(Provider.Postgres);
