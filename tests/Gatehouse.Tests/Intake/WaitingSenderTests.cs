using System.Net;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Intake;

/// <summary>A sender that waits (<c>?wait=</c>) for its ingestion to be processed.</summary>
public sealed class WaitingSenderTests
{
    private const string Site = GatehouseClient.DefaultSite;

    [Fact]
    public async Task Waiting_sender_busy_loops_on_the_database_when_its_ingestion_is_sent_back_to_pending()
    {
        // Regression: once the first attempt signalled, the wait loop kept a completed signal and re-queried without pause.
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(Provider.Sqlite), new()
        {
            ["Gatehouse:Sandbox:FormatterTimeoutSeconds"] = "10", ["Gatehouse:Intake:MaxAttempts"] = "2",
        });
        var admin = await factory.AdminAsync();
        var formatter = Unique.Name("Crash").Replace(' ', '_');
        await admin.PostAsync("/api/commands", new
        {
            name = formatter, features = new[] { "DataFormatter" },
            script = "function format(e) { var a = []; for (var i = 0; i < 20000; i++) { a = [a]; } return { deep: a }; }",
        });
        var integration = await admin.CreateIntegrationAsync(new { mainJsonPath = "$" });
        var key = await admin.IntakeKeyAsync(integration, new { dataFormatter = formatter });
        var before = factory.Logs.Count;

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await GatehouseClient.Json(await admin.SendAsync(integration, Site, new { alert = "poison" }, key, "CreateEvents?wait=60"), HttpStatusCode.OK);
        clock.Stop();

        Assert.Equal("Failed", result["status"]!.GetValue<string>());
        var queries = factory.Logs.Skip(before).Count(line => line.Contains("Executed DbCommand", StringComparison.Ordinal) && line.Contains("\"Ingestions\"", StringComparison.Ordinal));
        // The worker's claims and the sender's half-second backstop poll: a few per second, not thousands.
        Assert.True(queries < 20 + 10 * clock.Elapsed.TotalSeconds, $"{queries} queries on Ingestions in {clock.Elapsed.TotalSeconds:0.0} s");
    }
}
