using System.Net;
using System.Text.Json.Nodes;
using Gatehouse.Storage;
using Gatehouse.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Tests.Admin;

public abstract class RestartTests(Provider provider)
{
    [Fact]
    public async Task A_restart_on_the_same_store_keeps_keys_events_and_users()
    {
        var store = await GatehouseStore.CreateOrSkipAsync(provider);
        string integration, refid;
        (int Id, string Value, JsonNode View) key;
        await using (var first = new GatehouseFactory(store))
        {
            var admin = await first.AdminAsync();
            integration = await admin.CreateIntegrationAsync();
            key = await admin.CreateKeyAsync(integration);
            refid = (await admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite, new { before = "restart" }, key.Value))["refid"]!.GetValue<string>();
        }

        await using var second = new GatehouseFactory(store);
        var again = await second.AdminAsync();

        var log = await again.GetAsync($"/api/ingestions/{refid}");
        Assert.Equal("restart", log["input"]!["before"]!.GetValue<string>());
        Assert.Single(log["events"]!.AsArray());
        Assert.Equal(key.Value, (await again.GetAsync($"/api/keys/{key.Id}/secret"))["headerValue"]!.GetValue<string>());
        var after = await again.SendAndWaitAsync(integration, GatehouseClient.DefaultSite, new { after = "restart" }, key.Value);
        Assert.Single(after["events"]!.AsArray());
        Assert.Single((await again.GetAsync("/api/sites")).AsArray(), s => s!["name"]!.GetValue<string>() == "Security Operations");
    }

    [Fact]
    public async Task An_ingestion_stored_but_not_processed_before_a_stop_is_processed_after_the_restart()
    {
        var store = await GatehouseStore.CreateOrSkipAsync(provider);
        string refid;
        await using (var first = new GatehouseFactory(store))
        {
            var admin = await first.AdminAsync();
            var integration = await admin.CreateIntegrationAsync();
            var key = await admin.CreateKeyAsync(integration);
            refid = (await GatehouseClient.Json(await admin.SendAsync(integration, GatehouseClient.DefaultSite, new { n = 1 }, key.Value), HttpStatusCode.Accepted))["refid"]!.GetValue<string>();
        }
        // Arrange what a crash between the 202 and the end of processing leaves: a claimed
        // ingestion whose lease has run out and no events.
        await using (var db = store.OpenDb())
        {
            await db.Events.Where(e => e.IngestionId == refid).ExecuteDeleteAsync();
            var changed = await db.Ingestions.Where(i => i.Id == refid).ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Status, IngestionStatus.Processing)
                .SetProperty(i => i.Attempts, 1)
                .SetProperty(i => i.ClaimedBy, "a node that died")
                .SetProperty(i => i.LeaseExpiresAt, DateTimeOffset.UnixEpoch)
                .SetProperty(i => i.LogJson, (string?)null));
            Assert.Equal(1, changed);
        }

        await using var second = new GatehouseFactory(store);
        var again = await second.AdminAsync();

        for (var i = 0; i < 100; i++)
        {
            var log = await again.GetAsync($"/api/ingestions/{refid}");
            if (log["status"]!.GetValue<string>() == "Processed")
            {
                Assert.Single(log["events"]!.AsArray());
                Assert.Equal(2, log["attempts"]!.GetValue<int>());
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail("The stored ingestion was not processed after the restart.");
    }
}

public sealed class RestartTestsOnSqlite() : RestartTests(Provider.Sqlite);

public sealed class RestartTestsOnPostgres() : RestartTests(Provider.Postgres);
