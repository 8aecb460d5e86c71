using System.Net;
using Gatehouse.Storage;
using Gatehouse.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Tests.Durability;

/// <summary>
/// A replay job over a real gatehouse process killed (SIGKILL) while it runs: after a restart on the same data the
/// job resumes where it was, finishes, and every stored request ends with its events updated once — none made twice.
/// </summary>
public abstract class ReplayCrashTests(Provider provider)
{
    private const int Requests = 150;

    [Fact]
    public async Task A_replay_job_killed_mid_way_resumes_after_a_restart_and_makes_no_event_twice()
    {
        var store = await GatehouseStore.CreateOrSkipAsync(provider);
        await using var node = new GatehouseProcess(store, new()
        {
            ["Gatehouse:Intake:LeaseSeconds"] = "5",
            ["Gatehouse:Webhooks:RateLimitPerSecond"] = "100000",
            ["Gatehouse:Webhooks:RateLimitBurst"] = "100000",
        });
        await node.StartAsync();
        var admin = await node.AdminAsync();
        var integration = await admin.CreateIntegrationAsync(new { mainJsonPath = "$.items", fieldMappings = new[] { new { field = "Title", source = "$.t" } } });
        var key = await admin.IntakeKeyAsync(integration);
        var refids = new List<string>();
        for (var n = 0; n < Requests; n++)
        {
            var accepted = await GatehouseClient.Json(await admin.SendAsync(integration, GatehouseClient.DefaultSite,
                new { items = new[] { new { t = $"{n}-a", title = $"new {n}-a" }, new { t = $"{n}-b", title = $"new {n}-b" } } }, key), HttpStatusCode.Accepted);
            refids.Add(accepted["refid"]!.GetValue<string>());
        }
        await using var db = store.OpenDb();
        await GatehouseStore.AllProcessedAsync(db, refids, TimeSpan.FromSeconds(60));
        await admin.PutAsync($"/api/integrations/{Uri.EscapeDataString(integration)}", new
        {
            eventIntake = new { mainJsonPath = "$.items", fieldMappings = new[] { new { field = "Title", source = "$.title" } } },
        });
        var job = await admin.PostAsync("/api/ingestions/replay", new { filter = new { integration }, dryRun = false }, HttpStatusCode.Accepted);
        var id = job["id"]!.GetValue<string>();

        int done;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((done = await db.ReplayJobs.AsNoTracking().Where(j => j.Id == id).Select(j => j.Done).FirstAsync()) < 10)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the job did not start");
            await Task.Delay(20);
        }
        Assert.True(done < Requests, $"the job finished ({done}) before it could be killed");
        await node.KillAsync();
        await node.StartAsync();
        admin = await node.AdminAsync();
        var state = await admin.GetAsync($"/api/ingestions/replay/jobs/{id}");
        while (state["status"]!.GetValue<string>() is "Queued" or "Running")
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(150), $"the job did not finish: {state.ToJsonString()}");
            await Task.Delay(250);
            state = await admin.GetAsync($"/api/ingestions/replay/jobs/{id}");
        }

        Assert.Equal("Completed", state["status"]!.GetValue<string>());
        Assert.Equal(Requests, state["done"]!.GetValue<int>());
        Assert.Equal(0, state["failed"]!.GetValue<int>());
        var events = await db.Events.AsNoTracking().Where(e => e.Integration!.Name == integration).Select(e => new { e.IngestionId, e.Title, e.SupersededAt }).ToListAsync();
        Assert.Equal(Requests * 2, events.Count);
        Assert.All(events, e => Assert.Null(e.SupersededAt));
        Assert.Equal(Enumerable.Range(0, Requests).SelectMany(n => new[] { $"new {n}-a", $"new {n}-b" }).Order().ToList(), events.Select(e => e.Title!).Order().ToList());
    }
}

public sealed class ReplayCrashTestsOnSqlite() : ReplayCrashTests(Provider.Sqlite);

public sealed class ReplayCrashTestsOnPostgres() : ReplayCrashTests(Provider.Postgres);
