using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Gatehouse.Storage;
using Gatehouse.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Tests.Durability;

/// <summary>
/// Sustained concurrent intake into a real gatehouse process that is killed (SIGKILL) at random
/// moments several times and restarted on the same data: every acknowledged refid must exist and
/// end with exactly its events, and no event may be made twice.
/// </summary>
public abstract class IntakeCrashTests(Provider provider)
{
    private const string Site = GatehouseClient.DefaultSite;
    private const int Kills = 4;

    [Fact]
    public async Task Every_acknowledged_request_survives_repeated_kills_and_is_processed_exactly_once()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var store = await GatehouseStore.CreateOrSkipAsync(provider);
        await using var node = new GatehouseProcess(store, new()
        {
            ["Gatehouse:Intake:LeaseSeconds"] = "5",
            // An ingestion in flight at MaxAttempts kills is quarantined by design (a crash it may have caused);
            // this test is about kills the ingestions did not cause, so no ingestion may run out of attempts.
            ["Gatehouse:Intake:MaxAttempts"] = (Kills + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gatehouse:Webhooks:RateLimitPerSecond"] = "100000",
            ["Gatehouse:Webhooks:RateLimitBurst"] = "100000",
        });
        await node.StartAsync();
        var admin = await node.AdminAsync();
        var integration = await admin.CreateIntegrationAsync(new { mainJsonPath = "$.items", fieldMappings = new[] { new { field = "Title", source = "$.t" } } });
        var key = await admin.CreateKeyAsync(integration);

        var acknowledged = new ConcurrentDictionary<int, string>();
        var next = -1;
        using var stop = new CancellationTokenSource();
        var senders = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            using var http = new HttpClient { BaseAddress = node.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
            var client = new GatehouseClient(http);
            while (!stop.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref next);
                try
                {
                    var response = await client.SendAsync(integration, Site, new { items = new[] { new { t = $"{n}-a" }, new { t = $"{n}-b" } } }, key.Value);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        acknowledged[n] = (await response.Content.ReadFromJsonAsync<Accepted>())!.Refid;
                    }
                    else
                    {
                        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"request {n}: {(int)response.StatusCode}");
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                {
                    // The process died mid-request: not acknowledged, so nothing was promised.
                    await Task.Delay(20);
                }
            }
        })).ToList();
        var kills = new List<int>();
        for (var i = 0; i < Kills; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(400, 1500)));
            kills.Add(acknowledged.Count);
            await node.KillAsync();
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(0, 300)));
            await node.StartAsync();
        }
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        await stop.CancelAsync();
        await Task.WhenAll(senders);

        Assert.True(acknowledged.Count > 100, $"only {acknowledged.Count} requests were acknowledged (seed {seed})");
        var refids = acknowledged.Values.ToList();
        await using var db = store.OpenDb();
        await GatehouseStore.AllProcessedAsync(db, refids, TimeSpan.FromSeconds(120), $"(seed {seed})");
        var events = await db.Events.Where(e => e.IntegrationId == db.Integrations.First(x => x.Name == integration).Id)
            .Select(e => new { e.IngestionId, e.Title }).ToListAsync();
        var duplicates = events.GroupBy(e => e.Title).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"events made twice: {string.Join(", ", duplicates.Take(10))} (seed {seed})");
        var perIngestion = events.GroupBy(e => e.IngestionId!).ToDictionary(g => g.Key, g => g.Select(e => e.Title).Order().ToList());
        foreach (var (n, refid) in acknowledged)
        {
            Assert.True(perIngestion.TryGetValue(refid, out var titles), $"refid {refid} (request {n}) has no events (seed {seed})");
            Assert.Equal([$"{n}-a", $"{n}-b"], titles);
        }
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"seed {seed}: {acknowledged.Count} acknowledged of {next + 1} sent, kills after {string.Join(", ", kills)} acknowledgements; all processed exactly once.");
    }

    private sealed record Accepted(string Refid, string Status);
}

public sealed class IntakeCrashTestsOnSqlite() : IntakeCrashTests(Provider.Sqlite);

public sealed class IntakeCrashTestsOnPostgres() : IntakeCrashTests(Provider.Postgres);
