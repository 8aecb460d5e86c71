using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Playbooks;

/// <summary>A real gatehouse process killed (SIGKILL) while playbook tasks run, then started again on the same data.</summary>
public abstract class PlaybookCrashTests(Provider provider)
{
    private const string Site = GatehouseClient.DefaultSite;

    [Fact]
    public async Task Runs_interrupted_by_a_killed_process_resume_after_restart_retrying_or_failing_the_running_task()
    {
        await using var vendor = new VendorApi();
        await vendor.StartAsync();
        var store = await GatehouseStore.CreateOrSkipAsync(provider);
        await using var node = new GatehouseProcess(store, new()
        {
            ["Gatehouse:Outbound:AllowedHosts:0"] = "127.0.0.1",
            ["Gatehouse:Playbooks:LeaseSeconds"] = "2",
        });
        await node.StartAsync();
        var admin = await node.AdminAsync();
        var integration = await vendor.IntegrationAsync(admin);
        var (resilientSlow, fragileSlow) = (Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N"));
        var resilient = await PlaybookAsync(admin, integration, resilientSlow, retries: 1);
        var fragile = await PlaybookAsync(admin, integration, fragileSlow, retries: 0);
        var resilientEvent = await SendAsync(admin, resilient);
        var fragileEvent = await SendAsync(admin, fragile);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(vendor.Calls.ContainsKey(resilientSlow) && vendor.Calls.ContainsKey(fragileSlow)))
        {
            Assert.True(DateTime.UtcNow < deadline, "the slow tasks never reached the vendor");
            await Task.Delay(50);
        }

        await node.KillAsync();
        await node.StartAsync();
        admin = await node.AdminAsync();

        var resumed = await EndedRunAsync(admin, resilientEvent);
        var failed = await EndedRunAsync(admin, fragileEvent);
        Assert.Equal("Succeeded", resumed["status"]!.GetValue<string>());
        Assert.Equal([("first", 1, "Succeeded"), ("slow", 2, "Succeeded"), ("last", 1, "Succeeded")], Tasks(resumed));
        Assert.Equal(2, vendor.Calls[resilientSlow]);
        Assert.Equal("Failed", failed["status"]!.GetValue<string>());
        Assert.Equal([("first", 1, "Succeeded"), ("slow", 1, "Failed"), ("last", 0, "Cancelled")], Tasks(failed));
        Assert.Contains("node running it stopped", failed["tasks"]![1]!["error"]!.GetValue<string>());
        Assert.Equal(1, vendor.Calls[fragileSlow]);
    }

    private static List<(string, int, string)> Tasks(JsonNode run) =>
        run["tasks"]!.AsArray().Select(t => (t!["id"]!.GetValue<string>(), t["attempts"]!.GetValue<int>(), t["status"]!.GetValue<string>())).ToList();

    private static async Task<string> PlaybookAsync(GatehouseClient admin, string integration, string slowName, int retries)
    {
        var name = Unique.Name("Crash");
        await admin.PostAsync("/api/playbooks", new
        {
            name, kind = "Event",
            tasks = new object[]
            {
                new { id = "first", command = $"{integration}/Echo", @params = new Dictionary<string, object> { ["Value"] = "{{ $.event.Title }}" } },
                new { id = "slow", command = $"{integration}/Slow", after = new[] { "first" }, retries, retryDelaySeconds = 0,
                    @params = new Dictionary<string, object> { ["Name"] = slowName, ["Seconds"] = 30 } },
                new { id = "last", command = $"{integration}/Echo", after = new[] { "slow" }, @params = new Dictionary<string, object> { ["Value"] = "done" } },
            },
        });
        return name;
    }

    private static async Task<long> SendAsync(GatehouseClient admin, string playbook)
    {
        var integration = await admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.title" } } });
        var key = await admin.IntakeKeyAsync(integration, new { eventPlaybook = playbook });
        var result = await admin.SendAndWaitAsync(integration, Site, new { title = "crash me" }, key);
        return result["events"]![0]!["id"]!.GetValue<long>();
    }

    private static async Task<JsonNode> EndedRunAsync(GatehouseClient admin, long eventId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var runs = (await admin.GetAsync($"/api/playbook-runs?event={eventId}"))["items"]!.AsArray();
            if (runs is [{ } run] && run["status"]!.GetValue<string>() is "Succeeded" or "Failed" or "Cancelled")
            {
                return await admin.GetAsync($"/api/playbook-runs/{run["id"]}");
            }
            Assert.True(DateTime.UtcNow < deadline, $"the run of event {eventId} did not end: {runs.ToJsonString()}");
            await Task.Delay(100);
        }
    }
}

public sealed class PlaybookCrashTestsOnSqlite() : PlaybookCrashTests(Provider.Sqlite);

public sealed class PlaybookCrashTestsOnPostgres() : PlaybookCrashTests(Provider.Postgres);
