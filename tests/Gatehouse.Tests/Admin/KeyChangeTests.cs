using System.Net;
using System.Net.Http.Json;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Admin;

public abstract class KeyChangeTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;
    private const string Site = GatehouseClient.DefaultSite;

    [Fact]
    public async Task Disabling_renaming_and_deleting_a_key_take_effect_on_the_next_request()
    {
        var integration = await Admin.CreateIntegrationAsync();
        var key = await Admin.CreateKeyAsync(integration);
        Assert.Equal(HttpStatusCode.Accepted, (await Admin.SendAsync(integration, Site, new { n = 1 }, key.Value)).StatusCode);

        var renamed = await GatehouseClient.Json(await Admin.Http.PatchAsJsonAsync($"/api/keys/{key.Id}", new { name = "Renamed key" }), HttpStatusCode.OK);
        Assert.Equal("Renamed key", renamed["name"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Accepted, (await Admin.SendAsync(integration, Site, new { n = 2 }, key.Value)).StatusCode);

        await GatehouseClient.Json(await Admin.Http.PatchAsJsonAsync($"/api/keys/{key.Id}", new { enabled = false }), HttpStatusCode.OK);
        await GatehouseClient.Problem(await Admin.SendAsync(integration, Site, new { n = 3 }, key.Value), HttpStatusCode.Unauthorized);

        await GatehouseClient.Json(await Admin.Http.PatchAsJsonAsync($"/api/keys/{key.Id}", new { enabled = true }), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Accepted, (await Admin.SendAsync(integration, Site, new { n = 4 }, key.Value)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await Admin.Http.DeleteAsync($"/api/keys/{key.Id}")).StatusCode);
        await GatehouseClient.Problem(await Admin.SendAsync(integration, Site, new { n = 5 }, key.Value), HttpStatusCode.Unauthorized);
        await GatehouseClient.Problem(await Admin.Http.GetAsync($"/api/keys/{key.Id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_key_patch_is_validated()
    {
        var integration = await Admin.CreateIntegrationAsync();
        var key = await Admin.CreateKeyAsync(integration);

        await GatehouseClient.Problem(await Admin.Http.PatchAsJsonAsync($"/api/keys/{key.Id}", new { name = "" }), HttpStatusCode.BadRequest);
        await GatehouseClient.Problem(await Admin.Http.PatchAsJsonAsync($"/api/keys/{key.Id}", new { assignedUser = "nobody-here" }), HttpStatusCode.BadRequest);
        await GatehouseClient.Problem(await Admin.Http.PatchAsJsonAsync("/api/keys/999999", new { enabled = false }), HttpStatusCode.NotFound);
    }
}

public sealed class KeyChangeTestsOnSqlite(SqliteFixture fixture) : KeyChangeTests(fixture), IClassFixture<SqliteFixture>;

public sealed class KeyChangeTestsOnPostgres(PostgresFixture fixture) : KeyChangeTests(fixture), IClassFixture<PostgresFixture>;

public abstract class RateLimitTests(Provider provider)
{
    [Fact]
    public async Task A_key_over_its_rate_gets_429_with_Retry_After_and_recovers()
    {
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(provider),
            new() { ["Gatehouse:Webhooks:RateLimitPerSecond"] = "5", ["Gatehouse:Webhooks:RateLimitBurst"] = "5" });
        var admin = await factory.AdminAsync();
        var integration = await admin.CreateIntegrationAsync();
        var key = await admin.CreateKeyAsync(integration);
        var other = await admin.CreateKeyAsync(integration);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 8; i++)
        {
            var response = await admin.SendAsync(integration, GatehouseClient.DefaultSite, new { i }, key.Value);
            statuses.Add(response.StatusCode);
            limited ??= response.StatusCode == HttpStatusCode.TooManyRequests ? response : null;
        }

        Assert.Equal(HttpStatusCode.Accepted, statuses[0]);
        Assert.NotNull(limited);
        await GatehouseClient.Problem(limited, HttpStatusCode.TooManyRequests, "rate_limited");
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 2);
        // Another key has a bucket of its own.
        Assert.Equal(HttpStatusCode.Accepted, (await admin.SendAsync(integration, GatehouseClient.DefaultSite, new { x = 1 }, other.Value)).StatusCode);

        await Task.Delay(retryAfter.Value + TimeSpan.FromMilliseconds(200));
        Assert.Equal(HttpStatusCode.Accepted, (await admin.SendAsync(integration, GatehouseClient.DefaultSite, new { after = true }, key.Value)).StatusCode);
    }
}

public sealed class RateLimitTestsOnSqlite() : RateLimitTests(Provider.Sqlite);

public sealed class RateLimitTestsOnPostgres() : RateLimitTests(Provider.Postgres);
