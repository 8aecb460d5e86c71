using System.Diagnostics;
using System.Net;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Cluster;

/// <summary>Two Gatehouse nodes in this process on one PostgreSQL database.</summary>
public class CrossNodeTests
{
    private const string Site = GatehouseClient.DefaultSite;
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);

    private static async Task<(GatehouseFactory A, GatehouseFactory B)> TwoNodesAsync(Dictionary<string, string?>? settings = null)
    {
        var store = await GatehouseStore.CreateOrSkipAsync(Provider.Postgres);
        var a = new GatehouseFactory(store, settings);
        await a.AdminAsync();
        return (a, new GatehouseFactory(store, settings));
    }

    [Fact]
    public async Task A_key_disabled_deleted_or_regenerated_on_one_node_is_refused_by_the_other_within_a_second()
    {
        var (a, b) = await TwoNodesAsync();
        await using var _ = a;
        await using var __ = b;
        var adminA = await a.AdminAsync();
        var clientB = await b.AdminAsync();
        var integration = await adminA.CreateIntegrationAsync();
        var disabled = await adminA.CreateKeyAsync(integration);
        var deleted = await adminA.CreateKeyAsync(integration);
        var regenerated = await adminA.CreateKeyAsync(integration);
        // Node B has the keys in its cache before they change.
        Assert.Equal(HttpStatusCode.Accepted, (await clientB.SendAsync(integration, Site, new { n = 1 }, disabled.Value)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await clientB.SendAsync(integration, Site, new { n = 1 }, deleted.Value)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await clientB.SendAsync(integration, Site, new { n = 1 }, regenerated.Value)).StatusCode);

        await adminA.Http.PatchAsync($"/api/keys/{disabled.Id}", JsonContent(new { enabled = false }));
        var disabledAfter = await TimeUntilRefusedAsync(clientB, integration, disabled.Value);
        Assert.Equal(HttpStatusCode.NoContent, (await adminA.Http.DeleteAsync($"/api/keys/{deleted.Id}")).StatusCode);
        var deletedAfter = await TimeUntilRefusedAsync(clientB, integration, deleted.Value);
        await adminA.PostAsync($"/api/keys/{regenerated.Id}/regenerate", new { }, HttpStatusCode.OK);
        var regeneratedAfter = await TimeUntilRefusedAsync(clientB, integration, regenerated.Value);

        Assert.True(disabledAfter <= Freshness, $"disabled key still accepted by node B after {disabledAfter.TotalMilliseconds} ms");
        Assert.True(deletedAfter <= Freshness, $"deleted key still accepted by node B after {deletedAfter.TotalMilliseconds} ms");
        Assert.True(regeneratedAfter <= Freshness, $"regenerated key's old value still accepted by node B after {regeneratedAfter.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_setting_changed_on_one_node_is_seen_by_the_other_within_a_second()
    {
        var (a, b) = await TwoNodesAsync();
        await using var _ = a;
        await using var __ = b;
        var adminA = await a.AdminAsync();
        var adminB = await b.AdminAsync();
        const string path = "/api/settings/EnableEnhanceWebhookAuthentication";
        Assert.False((await adminB.GetAsync(path))["value"]!.GetValue<bool>());

        await adminA.PutAsync(path, new { value = true });
        var clock = Stopwatch.StartNew();
        while (!(await adminB.GetAsync(path))["value"]!.GetValue<bool>())
        {
            Assert.True(clock.Elapsed <= Freshness, "node B still shows the old setting after a second");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Rate_limits_are_kept_by_each_node_on_its_own()
    {
        var (a, b) = await TwoNodesAsync(new() { ["Gatehouse:Webhooks:RateLimitPerSecond"] = "1", ["Gatehouse:Webhooks:RateLimitBurst"] = "3" });
        await using var _ = a;
        await using var __ = b;
        var adminA = await a.AdminAsync();
        var clientB = await b.AdminAsync();
        var integration = await adminA.CreateIntegrationAsync();
        var key = await adminA.CreateKeyAsync(integration);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await adminA.SendAsync(integration, Site, new { i }, key.Value)).StatusCode);
        }
        var limited = await adminA.SendAsync(integration, Site, new { i = 4 }, key.Value);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await clientB.SendAsync(integration, Site, new { i }, key.Value)).StatusCode);
        }

        await GatehouseClient.Problem(limited, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.NotNull(limited.Headers.RetryAfter);
    }

    private static async Task<TimeSpan> TimeUntilRefusedAsync(GatehouseClient client, string integration, string key)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            if ((await client.SendAsync(integration, Site, new { probe = true }, key)).StatusCode == HttpStatusCode.Unauthorized)
            {
                return clock.Elapsed;
            }
            await Task.Delay(20);
        }
        return clock.Elapsed;
    }

    private static HttpContent JsonContent(object body) => System.Net.Http.Json.JsonContent.Create(body);
}
