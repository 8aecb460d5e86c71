using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Events;

/// <summary>An analyst's work on events over the admin API: dismiss, bulk dismiss, reopen, link to an incident, search.</summary>
public abstract class EventTriageTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;

    private static readonly object Mapping = new
    {
        mainJsonPath = "$",
        fieldMappings = new[]
        {
            new { field = "Title", source = "$.title" }, new { field = "Source IP", source = "$.src" }, new { field = "Destination IP", source = "$.dst" },
            new { field = "Hostname", source = "$.host" }, new { field = "Username", source = "$.user" },
        },
    };

    /// <summary>A site of its own with events made by real intake; returns the site and the events' ids in order.</summary>
    private async Task<(string Site, List<long> Ids)> EventsAsync(params object[] bodies)
    {
        var site = await Admin.CreateSiteAsync();
        var integration = await Admin.CreateIntegrationAsync(Mapping);
        var key = await Admin.IntakeKeyAsync(integration, new { site });
        var result = await Admin.SendAndWaitAsync(integration, site, bodies, key);
        return (site, result["events"]!.AsArray().Select(e => e!["id"]!.GetValue<long>()).ToList());
    }

    [Fact]
    public async Task An_escalated_event_was_dismissed_then_reopened_to_New_behind_its_incident()
    {
        var site = await Admin.CreateSiteAsync();
        await Admin.PostAsync("/api/automation-rules", new
        {
            name = Unique.Name("Escalate"), type = "Escalation", site,
            condition = new { field = "Title", @operator = "equals", value = "escalated" },
            escalation = new { incidentType = "Intrusion", title = "{{Title}}" },
        });
        var integration = await Admin.CreateIntegrationAsync(Mapping);
        var key = await Admin.IntakeKeyAsync(integration, new { site, runEventAutomationRules = true });
        var result = await Admin.SendAndWaitAsync(integration, site, new object[] { new { title = "escalated" }, new { title = "plain" } }, key);
        var ids = result["events"]!.AsArray().Select(e => e!["id"]!.GetValue<long>()).ToList();
        Assert.Equal("Escalated", result["events"]![0]!["status"]!.GetValue<string>());

        var single = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync($"/api/events/{ids[0]}/dismiss", new { reason = "x" }), HttpStatusCode.Conflict, "event_escalated");
        Assert.Contains($"Event {ids[0]} was escalated", single["Error"]!.GetValue<string>());
        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/events/dismiss", new { ids }), HttpStatusCode.Conflict, "event_escalated");

        Assert.Equal("Escalated", (await Admin.GetAsync($"/api/events/{ids[0]}"))["status"]!.GetValue<string>());
        Assert.Equal("New", (await Admin.GetAsync($"/api/events/{ids[1]}"))["status"]!.GetValue<string>()); // all or none

        // Unlinked from its incident, nothing holds it any more: the refusal's advice works.
        await GatehouseClient.Json(await Admin.Http.PostAsJsonAsync($"/api/events/{ids[0]}/unlink", new { incident = result["incidents"]![0]!["id"]!.GetValue<long>() }), HttpStatusCode.OK);
        var dismissed = await GatehouseClient.Json(await Admin.Http.PostAsJsonAsync($"/api/events/{ids[0]}/dismiss", new { reason = "false alarm" }), HttpStatusCode.OK);
        Assert.Equal("Dismissed", dismissed["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bulk_dismiss_counted_its_cap_after_removing_duplicates_so_any_number_of_copies_passed()
    {
        var (_, ids) = await EventsAsync(new { title = "one" });
        var copies = Enumerable.Repeat(ids[0], 501).ToArray();
        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/events/dismiss", new { ids = copies }), HttpStatusCode.BadRequest);
        var fine = await GatehouseClient.Json(await Admin.Http.PostAsJsonAsync("/api/events/dismiss", new { ids = Enumerable.Repeat(ids[0], 3).ToArray() }), HttpStatusCode.OK);
        Assert.Single(fine.AsArray());
    }

    [Fact]
    public async Task An_analyst_dismisses_and_reopens_an_event_of_their_site_with_an_audit_row_for_each()
    {
        var (site, ids) = await EventsAsync(new { title = "noise" });
        var (username, analyst) = await Admin.CreateUserAsync(fixture.Factory, "Analyst", site);

        var dismissed = await GatehouseClient.Json(await analyst.Http.PostAsJsonAsync($"/api/events/{ids[0]}/dismiss", new { reason = "Known scanner", reasonCode = "FP" }), HttpStatusCode.OK);
        Assert.Equal("Dismissed", dismissed["status"]!.GetValue<string>());
        // Regression: the reason was stored but shown nowhere but the audit log.
        Assert.Equal("Known scanner", (await Admin.GetAsync($"/api/events/{ids[0]}"))["dismissal"]!["reason"]!.GetValue<string>());
        Assert.Equal("FP", dismissed["dismissal"]!["reasonCode"]!.GetValue<string>());
        var reopened = await GatehouseClient.Json(await analyst.Http.PostAsync($"/api/events/{ids[0]}/reopen", null), HttpStatusCode.OK);
        Assert.Null(reopened["dismissal"]);
        Assert.Equal("New", reopened["status"]!.GetValue<string>());

        var rows = await Admin.AuditAsync($"?resource=event&target={Uri.EscapeDataString($"event {ids[0]}")}");
        Assert.Equal(["event.reopened", "event.dismissed"], rows.Select(r => r!["action"]!.GetValue<string>()));
        Assert.All(rows, r => Assert.Equal(username, r!["actor"]!.GetValue<string>()));
        Assert.Equal("Known scanner", rows[1]!["detail"]!["to"]!["reason"]!.GetValue<string>());
        Assert.Equal("Known scanner", rows[0]!["detail"]!["from"]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_event_of_another_site_is_not_found_for_dismiss_reopen_or_link()
    {
        var (_, ids) = await EventsAsync(new { title = "theirs" });
        var analyst = await Admin.CreateAnalystAsync(fixture.Factory, await Admin.CreateSiteAsync());

        await GatehouseClient.Problem(await analyst.Http.PostAsJsonAsync($"/api/events/{ids[0]}/dismiss", new { reason = "x" }), HttpStatusCode.NotFound);
        await GatehouseClient.Problem(await analyst.Http.PostAsync($"/api/events/{ids[0]}/reopen", null), HttpStatusCode.NotFound);
        await GatehouseClient.Problem(await analyst.Http.PostAsJsonAsync($"/api/events/{ids[0]}/link", new { incident = 1 }), HttpStatusCode.NotFound);
        await GatehouseClient.Problem(await analyst.Http.PostAsJsonAsync("/api/events/dismiss", new { ids = new[] { ids[0] }, reason = "x" }), HttpStatusCode.NotFound);
        Assert.Equal("New", (await Admin.GetAsync($"/api/events/{ids[0]}"))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bulk_dismiss_is_all_or_nothing()
    {
        var (_, ids) = await EventsAsync(new { title = "a" }, new { title = "b" });

        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/events/dismiss", new { ids = new[] { ids[0], 99_999_999L }, reason = "x" }), HttpStatusCode.NotFound);
        Assert.Equal("New", (await Admin.GetAsync($"/api/events/{ids[0]}"))["status"]!.GetValue<string>());

        var both = await GatehouseClient.Json(await Admin.Http.PostAsJsonAsync("/api/events/dismiss", new { ids, reason = "batch" }), HttpStatusCode.OK);
        Assert.All(both.AsArray(), e => Assert.Equal("Dismissed", e!["status"]!.GetValue<string>()));
        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/events/dismiss", new { ids = Enumerable.Range(1, 501).ToArray() }), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_event_is_linked_to_an_incident_by_its_IR_number_and_unlinked_and_the_incident_history_says_so()
    {
        var (site, ids) = await EventsAsync(new { title = "linked" });
        var incident = await Admin.PostAsync("/api/incidents", new { site, incidentType = "Malware", title = "Case" });
        var number = incident["number"]!.GetValue<string>();

        var linked = await GatehouseClient.Json(await Admin.Http.PostAsJsonAsync($"/api/events/{ids[0]}/link", new { incident = number }), HttpStatusCode.OK);
        Assert.Equal([incident["id"]!.GetValue<long>()], linked["incidentIds"]!.AsArray().Select(i => i!.GetValue<long>()));
        var unlinked = await GatehouseClient.Json(await Admin.Http.PostAsJsonAsync($"/api/events/{ids[0]}/unlink", new { incident = incident["id"]!.GetValue<long>() }), HttpStatusCode.OK);
        Assert.Empty(unlinked["incidentIds"]!.AsArray());

        var history = (await Admin.GetAsync($"/api/incidents/{incident["id"]}/history")).AsArray().Select(h => h!["action"]!.GetValue<string>());
        Assert.Equal(["created", "linked", "unlinked"], history);
        var elsewhere = await Admin.PostAsync("/api/incidents", new { site = GatehouseClient.DefaultSite, incidentType = "Malware", title = "Other site" });
        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync($"/api/events/{ids[0]}/link", new { incident = elsewhere["number"]!.GetValue<string>() }), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Events_are_found_by_text_address_range_host_and_user()
    {
        var (site, ids) = await EventsAsync(
            new { title = "100% match_here", src = "10.1.2.3", dst = "192.0.2.9", host = "WS-Finance-01", user = "CORP\\alice" },
            new { title = "other", src = "2001:db8::7", dst = "198.51.100.1", host = "srv-web", user = "bob" },
            new { title = "100x matchXhere", src = "172.16.0.1", dst = "172.16.0.2", host = "laptop", user = "carol" });
        async Task<List<long>> FindAsync(string query) =>
            (await Admin.GetAsync($"/api/events?site={Uri.EscapeDataString(site)}&{query}"))["items"]!.AsArray().Select(e => e!["id"]!.GetValue<long>()).Order().ToList();

        Assert.Equal([ids[0]], await FindAsync("q=" + Uri.EscapeDataString("100% MATCH_here")));
        Assert.Equal([ids[0]], await FindAsync("ip=10.1.2.3"));
        Assert.Equal([ids[0]], await FindAsync("ip=" + Uri.EscapeDataString("10.0.0.0/8")));
        Assert.Equal([ids[1]], await FindAsync("ip=" + Uri.EscapeDataString("2001:db8::/32")));
        Assert.Equal([ids[2]], await FindAsync("ip=" + Uri.EscapeDataString("172.16.0.0/12")));
        Assert.Equal([ids[0], ids[1], ids[2]], await FindAsync("ip=" + Uri.EscapeDataString("0.0.0.0/0")));
        Assert.Equal([ids[0]], await FindAsync("host=finance"));
        Assert.Equal([ids[1]], await FindAsync("user=BOB"));
        var bad = await GatehouseClient.Problem(await Admin.Http.GetAsync("/api/events?ip=10.0.0.0/33"), HttpStatusCode.BadRequest);
        Assert.Equal("ip", bad["member"]!.GetValue<string>());
    }

    [Fact]
    public async Task One_address_compared_as_text_missed_the_same_address_written_another_way()
    {
        var (site, ids) = await EventsAsync(
            new { title = "v6", src = "2001:db8::1" },
            new { title = "mapped", src = "::ffff:10.9.8.7" },
            new { title = "v4", dst = "10.9.8.6" });
        async Task<List<long>> FindAsync(string ip) =>
            (await Admin.GetAsync($"/api/events?site={Uri.EscapeDataString(site)}&ip={Uri.EscapeDataString(ip)}"))["items"]!.AsArray().Select(e => e!["id"]!.GetValue<long>()).ToList();

        Assert.Equal([ids[0]], await FindAsync("2001:DB8:0:0:0:0:0:1"));
        Assert.Equal([ids[1]], await FindAsync("10.9.8.7"));
        Assert.Equal([ids[2]], await FindAsync("::ffff:10.9.8.6"));
        Assert.Empty(await FindAsync("10.9.8.5"));
    }

    [Fact]
    public async Task Zero_padded_addresses_were_read_as_octal_and_numbers_as_addresses()
    {
        var (site, ids) = await EventsAsync(
            new { title = "padded", src = "010.002.002.002" },
            new { title = "event id", src = "167838211" },
            new { title = "mapped", src = "::ffff:10.2.2.3" });
        async Task<List<long>> FindAsync(string ip) =>
            (await Admin.GetAsync($"/api/events?site={Uri.EscapeDataString(site)}&ip={Uri.EscapeDataString(ip)}"))["items"]!.AsArray().Select(e => e!["id"]!.GetValue<long>()).Order().ToList();

        Assert.Equal([ids[0]], await FindAsync("10.2.2.2"));
        Assert.Empty(await FindAsync("8.2.2.2"));
        Assert.Empty(await FindAsync("10.1.2.3"));
        Assert.Equal([ids[0], ids[2]], await FindAsync("10.0.0.0/8"));
        Assert.Equal([ids[0], ids[2]], await FindAsync("::ffff:0:0/96"));
        Assert.Equal([ids[0], ids[2]], await FindAsync("::ffff:10.0.0.0/104"));
        var bad = await GatehouseClient.Problem(await Admin.Http.GetAsync("/api/events?ip=167838211"), HttpStatusCode.BadRequest);
        Assert.Equal("ip", bad["member"]!.GetValue<string>());
    }

    [Fact]
    public async Task Text_search_missed_letters_outside_ascii_and_characters_the_raw_json_stores_escaped()
    {
        // Sent as System.Text.Json writes it: 'ü', '<' and 'é' travel as \u00FC, \u003C and \u00E9 in the raw JSON.
        var (site, ids) = await EventsAsync(
            new { title = "Login from ZÜRICH office", note = "<script>alert('é')</script>", path = "C:\\Temp\\x.exe" },
            new { title = "Login from Bern office", note = "plain" });
        async Task<List<long>> FindAsync(string q) =>
            (await Admin.GetAsync($"/api/events?site={Uri.EscapeDataString(site)}&q={Uri.EscapeDataString(q)}"))["items"]!.AsArray().Select(e => e!["id"]!.GetValue<long>()).ToList();

        Assert.Equal([ids[0]], await FindAsync("zürich"));
        Assert.Equal([ids[0]], await FindAsync("<SCRIPT>alert('É')"));
        Assert.Equal([ids[0]], await FindAsync("C:\\Temp"));
        Assert.Empty(await FindAsync("_"));
        Assert.Empty(await FindAsync("%"));
    }
}

public sealed class EventTriageTestsOnSqlite(SqliteFixture fixture) : EventTriageTests(fixture), IClassFixture<SqliteFixture>;

public sealed class EventTriageTestsOnPostgres(PostgresFixture fixture) : EventTriageTests(fixture), IClassFixture<PostgresFixture>;
