using System.Net;
using Gatehouse.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Gatehouse.Tests.Admin;

public class RestartTests
{
    [Fact]
    public async Task A_restart_on_the_same_data_directory_keeps_keys_events_and_users()
    {
        var dataDirectory = TempFolder.Create();
        string integration, refid;
        (int Id, string Value, System.Text.Json.Nodes.JsonNode View) key;
        await using (var first = new GatehouseFactory(dataDirectory))
        {
            var admin = await first.AdminAsync();
            integration = await admin.CreateIntegrationAsync();
            key = await admin.CreateKeyAsync(integration);
            refid = (await admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite, new { before = "restart" }, key.Value))["refid"]!.GetValue<string>();
        }

        await using var second = new GatehouseFactory(dataDirectory);
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
        var dataDirectory = TempFolder.Create();
        string integration, refid;
        await using (var first = new GatehouseFactory(dataDirectory))
        {
            var admin = await first.AdminAsync();
            integration = await admin.CreateIntegrationAsync();
            var key = await admin.CreateKeyAsync(integration);
            refid = (await GatehouseClient.Json(await admin.SendAsync(integration, GatehouseClient.DefaultSite, new { n = 1 }, key.Value), HttpStatusCode.Accepted))["refid"]!.GetValue<string>();
        }
        // Simulate a stop between the 202 and processing: the stored request goes back to waiting.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "gatehouse.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                DELETE FROM Events WHERE IngestionId = $id;
                UPDATE Ingestions SET Status = 'Processing', Attempts = 1, LeaseExpiresAt = 0, LogJson = NULL WHERE Id = $id;
                SELECT changes();
                """;
            command.Parameters.AddWithValue("$id", refid);
            Assert.Equal(1L, await command.ExecuteScalarAsync());
        }

        await using var second = new GatehouseFactory(dataDirectory);
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
