using System.Net;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Admin;

public abstract class SiteIsolationTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;

    [Fact]
    public async Task Analysts_see_only_their_sites_events_incidents_ingestions_and_keys()
    {
        var mine = await Admin.CreateSiteAsync("Client");
        var theirs = await Admin.CreateSiteAsync("Client");
        var integration = await Admin.CreateIntegrationAsync(incidentIntake: new { mainJsonPath = "$" });
        var myKey = await Admin.CreateKeyAsync(integration, mine);
        var theirKey = await Admin.CreateKeyAsync(integration, theirs);
        var theirIncidentKey = await Admin.CreateKeyAsync(integration, theirs, intake: "Incident");
        var myEvent = await Admin.SendAndWaitAsync(integration, mine, new { who = "mine" }, myKey.Value);
        var theirEvent = await Admin.SendAndWaitAsync(integration, theirs, new { who = "theirs" }, theirKey.Value);
        var theirIncident = await Admin.SendAndWaitAsync(integration, theirs, new { who = "theirs" }, theirIncidentKey.Value, "CreateIncidents");
        var analyst = await Admin.CreateAnalystAsync(fixture.Factory, mine);

        var events = await analyst.GetAsync("/api/events");
        var incidents = await analyst.GetAsync("/api/incidents");
        var sites = await analyst.GetAsync("/api/sites");
        var keys = await analyst.GetAsync("/api/keys");

        Assert.Equal(["mine"], events["items"]!.AsArray().Select(e => e!["site"]!.GetValue<string>() == mine ? "mine" : "theirs"));
        Assert.Equal(0, incidents["total"]!.GetValue<int>());
        Assert.Equal([mine], sites.AsArray().Select(s => s!["name"]!.GetValue<string>()));
        Assert.Equal([myKey.Id], keys.AsArray().Select(k => k!["id"]!.GetValue<int>()));
        Assert.Equal(0, (await analyst.GetAsync($"/api/events?site={Uri.EscapeDataString(theirs)}"))["total"]!.GetValue<int>());
        await GatehouseClient.Problem(await analyst.Http.GetAsync($"/api/events/{theirEvent["events"]![0]!["id"]}"), HttpStatusCode.NotFound);
        await GatehouseClient.Problem(await analyst.Http.GetAsync($"/api/incidents/{theirIncident["incidents"]![0]!["id"]}"), HttpStatusCode.NotFound);
        await GatehouseClient.Problem(await analyst.Http.GetAsync($"/api/ingestions/{theirEvent["refid"]}"), HttpStatusCode.NotFound);
        await GatehouseClient.Problem(await analyst.Http.GetAsync($"/api/keys/{theirKey.Id}"), HttpStatusCode.NotFound);
        await analyst.GetAsync($"/api/events/{myEvent["events"]![0]!["id"]}");
        await analyst.GetAsync($"/api/ingestions/{myEvent["refid"]}");
    }
}

public sealed class SiteIsolationTestsOnSqlite(SqliteFixture fixture) : SiteIsolationTests(fixture), IClassFixture<SqliteFixture>;

public sealed class SiteIsolationTestsOnPostgres(PostgresFixture fixture) : SiteIsolationTests(fixture), IClassFixture<PostgresFixture>;
