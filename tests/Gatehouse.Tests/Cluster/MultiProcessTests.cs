using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Gatehouse.Storage;
using Gatehouse.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Tests.Cluster;

/// <summary>Three real gatehouse processes on one throwaway PostgreSQL database.</summary>
public class MultiProcessTests
{
    private const string Site = GatehouseClient.DefaultSite;
    private const int Requests = 600;

    [Fact]
    public async Task Three_nodes_process_every_acknowledged_refid_exactly_once_while_nodes_are_killed_and_restarted()
    {
        var store = await GatehouseStore.CreateOrSkipAsync(Provider.Postgres);
        var settings = new Dictionary<string, string?>
        {
            ["Gatehouse:Intake:LeaseSeconds"] = "5",
            ["Gatehouse:Webhooks:RateLimitPerSecond"] = "100000",
            ["Gatehouse:Webhooks:RateLimitBurst"] = "100000",
        };
        await using var a = new GatehouseProcess(store, settings);
        await using var b = new GatehouseProcess(store, settings);
        await using var c = new GatehouseProcess(store, settings);
        await a.StartAsync();
        await Task.WhenAll(b.StartAsync(), c.StartAsync());
        var admin = await a.AdminAsync();
        var integration = await admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "External ID", source = "$.n" } } });
        var key = await admin.CreateKeyAsync(integration);
        GatehouseProcess[] nodes = [a, b, c];

        var acknowledged = new ConcurrentDictionary<int, string>();
        var next = -1;
        async Task WhenSent(int count)
        {
            while (Volatile.Read(ref next) < count)
            {
                await Task.Delay(5);
            }
        }
        var chaos = Task.Run(async () =>
        {
            await WhenSent(150);
            await b.KillAsync();
            await WhenSent(300);
            await b.StartAsync();
            await WhenSent(420);
            await c.KillAsync();
            await c.StartAsync();
        });
        var senders = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < Requests)
            {
                try
                {
                    var response = await new GatehouseClient(nodes[n % 3].Client).SendAsync(integration, Site, new { n }, key.Value);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        acknowledged[n] = (await response.Content.ReadFromJsonAsync<Accepted>())!.Refid;
                    }
                }
                catch (HttpRequestException)
                {
                    // The node is down: not acknowledged, so nothing was promised.
                }
                catch (TaskCanceledException)
                {
                }
            }
        })).ToList();
        await Task.WhenAll(senders);
        await chaos;
        Assert.True(acknowledged.Count > Requests / 2, $"only {acknowledged.Count} of {Requests} requests were acknowledged");

        var refids = acknowledged.Values.ToList();
        await using (var db = store.OpenDb())
        {
            await GatehouseStore.AllProcessedAsync(db, refids, TimeSpan.FromSeconds(90));
            var events = await db.Events.Where(e => refids.Contains(e.IngestionId!)).Select(e => new { e.IngestionId, e.ExternalId }).ToListAsync();
            var perIngestion = events.GroupBy(e => e.IngestionId!).ToDictionary(g => g.Key, g => g.ToList());
            foreach (var (n, refid) in acknowledged)
            {
                Assert.True(perIngestion.TryGetValue(refid, out var made), $"refid {refid} (request {n}) has no event");
                Assert.True(made.Count == 1, $"refid {refid} (request {n}) has {made.Count} events");
                Assert.Equal(n.ToString(), made[0].ExternalId);
            }
            var retried = await db.Ingestions.CountAsync(i => refids.Contains(i.Id) && i.Attempts > 1);
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"{acknowledged.Count} of {Requests} requests acknowledged; all processed once; {retried} taken over after a lost lease.");
        }

        // Changes made through node A reach B and C within a second.
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.PatchAsJsonAsync($"/api/keys/{key.Id}", new { enabled = false })).StatusCode);
        var clockKey = Stopwatch.StartNew();
        foreach (var node in new[] { b, c })
        {
            while ((await new GatehouseClient(node.Client).SendAsync(integration, Site, new { probe = 1 }, key.Value)).StatusCode != HttpStatusCode.Unauthorized)
            {
                Assert.True(clockKey.Elapsed <= TimeSpan.FromSeconds(1), $"node on port {node.Port} still accepted the disabled key after {clockKey.ElapsedMilliseconds} ms");
                await Task.Delay(20);
            }
        }
        var adminB = await b.AdminAsync();
        var adminC = await c.AdminAsync();
        const string setting = "/api/settings/EnableEnhanceWebhookAuthentication";
        Assert.False((await adminB.GetAsync(setting))["value"]!.GetValue<bool>());
        Assert.False((await adminC.GetAsync(setting))["value"]!.GetValue<bool>());
        await admin.PutAsync(setting, new { value = true });
        var clockSetting = Stopwatch.StartNew();
        foreach (var node in new[] { adminB, adminC })
        {
            while (!(await node.GetAsync(setting))["value"]!.GetValue<bool>())
            {
                Assert.True(clockSetting.Elapsed <= TimeSpan.FromSeconds(1), $"a node still showed the old setting after {clockSetting.ElapsedMilliseconds} ms");
                await Task.Delay(20);
            }
        }
    }

    private sealed record Accepted(string Refid, string Status);
}
