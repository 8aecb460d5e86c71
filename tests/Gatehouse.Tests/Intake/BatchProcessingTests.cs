using System.Net;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Intake;

/// <summary>Stored ingestions processed together in one transaction, as a node catching up on a backlog does.</summary>
public abstract class BatchProcessingTests(Provider provider)
{
    private const string Site = GatehouseClient.DefaultSite;

    [Fact]
    public async Task A_backlog_is_processed_in_batches_and_duplicates_within_a_batch_are_still_recognised()
    {
        var store = await GatehouseStore.CreateOrSkipAsync(provider);
        string integration;
        var refids = new List<string>();
        await using (var intakeOnly = new GatehouseFactory(store, new() { ["Gatehouse:Intake:Process"] = "false" }))
        {
            var admin = await intakeOnly.AdminAsync();
            integration = await admin.CreateIntegrationAsync(new
            {
                mainJsonPath = "$", fieldMappings = new[] { new { field = "External ID", source = "$.id" }, new { field = "Title", source = "$.title" } },
            });
            var key = await admin.IntakeKeyAsync(integration);
            foreach (var (id, title) in new[] { ("alert-1", "first"), ("alert-2", "other"), ("alert-1", "repeat"), ("alert-1", "again") })
            {
                refids.Add((await GatehouseClient.Json(await admin.SendAsync(integration, Site, new { id, title }, key), HttpStatusCode.Accepted))["refid"]!.GetValue<string>());
            }
        }

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
        var store = await GatehouseStore.CreateOrSkipAsync(provider);
        string integration;
        var refids = new List<string>();
        await using (var intakeOnly = new GatehouseFactory(store, new() { ["Gatehouse:Intake:Process"] = "false" }))
        {
            var admin = await intakeOnly.AdminAsync();
            var formatter = Unique.Name("Slow").Replace(' ', '_');
            await admin.PostAsync("/api/commands", new { name = formatter, features = new[] { "DataFormatter" }, script = "function format(e) { if (e.slow) { var s = JSON.stringify(e); for (var i = 0; i < 300000; i++) { s.indexOf('~z'); } } return e; }" });
            integration = await admin.CreateIntegrationAsync(new { mainJsonPath = "$" });
            var key = await admin.IntakeKeyAsync(integration, new { dataFormatter = formatter });
            foreach (var slow in new[] { true, true, true, false })
            {
                refids.Add((await GatehouseClient.Json(await admin.SendAsync(integration, Site, new { slow, padding = new string('x', 100_000) }, key), HttpStatusCode.Accepted))["refid"]!.GetValue<string>());
            }
        }

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
