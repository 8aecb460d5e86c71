using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Incidents;

/// <summary>The incident lifecycle over the admin API and the utility commands: edit, close, reopen, link, unlink, history, audit.</summary>
public abstract class IncidentLifecycleTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;

    private async Task<JsonNode> CreateAsync(string site, string title = "Suspicious login", object? extra = null)
    {
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(extra ?? new { }))!.AsObject();
        body["site"] = site;
        body["incidentType"] = "Account Compromise";
        body["title"] = title;
        return await Admin.PostAsync("/api/incidents", body);
    }

    private async Task<HttpResponseMessage> PatchAsync(GatehouseClient client, long id, object body) =>
        await client.Http.PatchAsJsonAsync($"/api/incidents/{id}", body);

    [Fact]
    public async Task An_incident_is_edited_closed_and_reopened_and_every_change_is_in_its_history_and_the_audit_log()
    {
        var site = await Admin.CreateSiteAsync();
        var id = (await CreateAsync(site))["id"]!.GetValue<long>();

        var edited = await GatehouseClient.Json(await PatchAsync(Admin, id, new
        {
            stage = "containment", priority = "High", tags = new[] { "vpn", "mfa" }, investigationTeam = new[] { "ADMIN" },
            dueDate = "2026-12-24 17:00:00", dynamicFields = new Dictionary<string, object> { ["Customer"] = new Dictionary<string, string> { ["Name"] = "Contoso" } },
        }), HttpStatusCode.OK);
        Assert.Equal("Containment", edited["stage"]!.GetValue<string>());
        Assert.Equal(["vpn", "mfa"], edited["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("admin", edited["investigationTeam"]![0]!.GetValue<string>());
        Assert.Equal("Contoso", edited["dynamicFields"]!["Customer"]!["Name"]!.GetValue<string>());

        var closed = await Admin.PostAsync($"/api/incidents/{id}/close", new { conclusion = "Password reset, sessions revoked.", disposition = "True Positive" }, HttpStatusCode.OK);
        Assert.Equal("Closed", closed["status"]!.GetValue<string>());
        Assert.Equal("admin", closed["closedBy"]!.GetValue<string>());
        Assert.NotNull(closed["closedAt"]);
        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync($"/api/incidents/{id}/close", new { conclusion = "again", disposition = "Duplicate" }), HttpStatusCode.BadRequest, "validation_failed");

        var reopened = await GatehouseClient.Json(await PatchAsync(Admin, id, new { status = "In Progress" }), HttpStatusCode.OK);
        Assert.Equal("In Progress", reopened["status"]!.GetValue<string>());
        Assert.Null(reopened["closedAt"]);
        Assert.Equal("Password reset, sessions revoked.", reopened["conclusion"]!.GetValue<string>());

        var history = (await Admin.GetAsync($"/api/incidents/{id}/history")).AsArray();
        Assert.Equal(["created", "edited", "closed", "edited"], history.Select(h => h!["action"]!.GetValue<string>()));
        Assert.All(history, h => Assert.Equal("admin", h!["actor"]!.GetValue<string>()));
        var stage = history[1]!["changes"]!.AsArray().Single(c => c!["field"]!.GetValue<string>() == "Stage")!;
        Assert.Equal("Containment", stage["to"]!.GetValue<string>());
        var audit = await Admin.AuditAsync("?action=incident.closed");
        Assert.Contains(audit, a => a!["target"]?.GetValue<string>() == closed["number"]!.GetValue<string>());
    }

    [Fact]
    public async Task Edits_of_unknown_or_read_only_fields_or_disallowed_values_are_refused_and_change_nothing()
    {
        var site = await Admin.CreateSiteAsync();
        var id = (await CreateAsync(site))["id"]!.GetValue<long>();

        var problem = await GatehouseClient.Problem(await PatchAsync(Admin, id, new { stgae = "Triage", creator = "mallory", status = "Closed", priority = "Urgent" }), HttpStatusCode.BadRequest, "validation_failed");

        var text = string.Join("\n", problem["errors"]!.AsArray().Select(e => e!["message"]!.GetValue<string>()));
        Assert.Contains("'stgae' is not an incident field that can be edited; editable fields:", text);
        Assert.Contains("'creator' cannot be edited", text);
        Assert.Contains("close the incident instead", text);
        Assert.Contains("'priority' must be one of: Critical, High, Medium, Low.", text);
        var incident = await Admin.GetAsync($"/api/incidents/{id}");
        Assert.Null(incident["stage"]);
        Assert.Single((await Admin.GetAsync($"/api/incidents/{id}/history")).AsArray());
    }

    [Fact]
    public async Task Linked_incidents_show_on_both_sides_unlinking_removes_them_and_links_stay_within_the_site()
    {
        var site = await Admin.CreateSiteAsync();
        var first = await CreateAsync(site, "Beacon");
        var second = await CreateAsync(site, "Lateral movement");
        var elsewhere = await CreateAsync(await Admin.CreateSiteAsync(), "Other tenant");
        var (firstId, secondNumber) = (first["id"]!.GetValue<long>(), second["number"]!.GetValue<string>());

        var linked = await Admin.PostAsync($"/api/incidents/{firstId}/links", new { incidents = new[] { secondNumber } }, HttpStatusCode.OK);
        Assert.Equal([secondNumber], linked["linkedIncidents"]!.AsArray().Select(n => n!.GetValue<string>()));
        var other = await Admin.GetAsync($"/api/incidents/{second["id"]}");
        Assert.Equal([first["number"]!.GetValue<string>()], other["linkedIncidents"]!.AsArray().Select(n => n!.GetValue<string>()));

        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync($"/api/incidents/{firstId}/links", new { incidents = new[] { elsewhere["number"]!.GetValue<string>() } }), HttpStatusCode.BadRequest);
        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync($"/api/incidents/{firstId}/links", new { incidents = new[] { first["number"]!.GetValue<string>() } }), HttpStatusCode.BadRequest);

        var unlinked = await Admin.PostAsync($"/api/incidents/{firstId}/unlink", new { incidents = new[] { second["id"]!.GetValue<long>() } }, HttpStatusCode.OK);
        Assert.Empty(unlinked["linkedIncidents"]!.AsArray());
        Assert.Empty((await Admin.GetAsync($"/api/incidents/{second["id"]}"))["linkedIncidents"]!.AsArray());
        Assert.Equal(["created", "linked", "unlinked"], (await Admin.GetAsync($"/api/incidents/{second["id"]}/history")).AsArray().Select(h => h!["action"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_analyst_changes_incidents_of_their_sites_only()
    {
        var mine = await Admin.CreateSiteAsync();
        var theirs = await Admin.CreateSiteAsync();
        var analyst = await Admin.CreateAnalystAsync(fixture.Factory, mine);
        var own = (await CreateAsync(mine))["id"]!.GetValue<long>();
        var foreign = (await CreateAsync(theirs))["id"]!.GetValue<long>();

        await GatehouseClient.Json(await PatchAsync(analyst, own, new { stage = "Investigation" }), HttpStatusCode.OK);
        await GatehouseClient.Problem(await PatchAsync(analyst, foreign, new { stage = "Investigation" }), HttpStatusCode.NotFound);
        await GatehouseClient.Problem(await analyst.Http.PostAsJsonAsync($"/api/incidents/{foreign}/close", new { conclusion = "x", disposition = "Duplicate" }), HttpStatusCode.NotFound);
        await GatehouseClient.Problem(await analyst.Http.PostAsJsonAsync("/api/incidents", new { site = theirs, incidentType = "X" }), HttpStatusCode.NotFound);
        await GatehouseClient.Problem(await analyst.Http.GetAsync($"/api/incidents/{foreign}/history"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_utility_commands_update_close_and_link_incidents_as_the_acting_user()
    {
        var site = await Admin.CreateSiteAsync();
        var incident = await CreateAsync(site, "Mass mailing");
        var other = await CreateAsync(site, "Related");
        var number = incident["number"]!.GetValue<string>();
        var events = await EventIdsAsync(site, 2);

        var updated = await RunAsync("UpdateIncident", site, new JsonObject
        {
            ["Incident Number"] = number, ["Stage"] = "Eradication", ["Tags"] = new JsonArray("spam"),
            ["Dynamic Fields"] = new JsonObject { ["Enrichment"] = new JsonObject { ["Verdict"] = "Malicious" } },
        });
        Assert.Equal("Eradication", updated["returnData"]!["Stage"]!.GetValue<string>());
        await RunAsync("LinkIncidents", site, new JsonObject { ["Incident Number"] = number, ["Linked Incident Numbers"] = new JsonArray(other["number"]!.GetValue<string>()) });
        await RunAsync("LinkEventsToIncident", site, new JsonObject { ["Incident ID"] = number, ["Event IDs"] = new JsonArray(events.Select(e => (JsonNode)e).ToArray()) });
        await RunAsync("UnlinkEventsFromIncident", site, new JsonObject { ["Incident ID"] = incident["id"]!.GetValue<long>(), ["Event IDs"] = new JsonArray(events[0]) });
        var refused = await RunAsync("CloseIncident", site, new JsonObject { ["Incident Number"] = number, ["Conclusion"] = "Blocked.", ["Disposition"] = "Nope" }, expectError: true);
        Assert.Contains("True Positive", refused["error"]!.GetValue<string>());
        var closed = await RunAsync("CloseIncident", site, new JsonObject { ["Incident Number"] = number, ["Conclusion"] = "Blocked the sender.", ["Disposition"] = "True Positive" });
        Assert.Equal("Closed", closed["returnData"]!["Status"]!.GetValue<string>());

        var view = await Admin.GetAsync($"/api/incidents/{incident["id"]}");
        Assert.Equal([events[1]], view["eventIds"]!.AsArray().Select(e => e!.GetValue<long>()));
        Assert.Equal("Malicious", view["dynamicFields"]!["Enrichment"]!["Verdict"]!.GetValue<string>());
        Assert.Equal("admin", view["closedBy"]!.GetValue<string>());
        var history = (await Admin.GetAsync($"/api/incidents/{incident["id"]}/history")).AsArray();
        Assert.Equal(["created", "edited", "linked", "linked", "unlinked", "closed"], history.Select(h => h!["action"]!.GetValue<string>()));

        var query = await RunAsync("GetIncidents", site, new JsonObject
        {
            ["Filter"] = new JsonArray(new JsonObject { ["section"] = "Enrichment", ["field"] = "Verdict", ["operator"] = "=", ["value"] = "malicious" }),
            ["Static Fields"] = new JsonArray("IR Number", "Linked Incidents", "Status"),
            ["Dynamic Fields"] = new JsonObject { ["Enrichment"] = new JsonArray("Verdict") },
        });
        var row = Assert.Single(query["rawData"]!["incidents"]!.AsArray())!;
        Assert.Equal(number, row["IR Number"]!.GetValue<string>());
        Assert.Equal("Malicious", row["Enrichment - Verdict"]!.GetValue<string>());
        Assert.Equal(other["number"]!.GetValue<string>(), row["Linked Incidents"]![0]!.GetValue<string>());
        Assert.Equal(1, query["outputData"]!["TotalPages"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_command_on_another_sites_incident_fails_without_changing_it()
    {
        var site = await Admin.CreateSiteAsync();
        var foreign = await CreateAsync(await Admin.CreateSiteAsync());

        var result = await RunAsync("CloseIncident", site, new JsonObject { ["Incident Number"] = foreign["number"]!.GetValue<string>(), ["Conclusion"] = "x", ["Disposition"] = "Duplicate" }, expectError: true);

        Assert.Contains("There is no incident", result["error"]!.GetValue<string>());
        Assert.Equal("Open", (await Admin.GetAsync($"/api/incidents/{foreign["id"]}"))["status"]!.GetValue<string>());
    }

    // Regressions (red team): each of these bodies was a 500.
    [Theory]
    [InlineData("""{"title":"a\ud800"}""", "malformed_json")]
    [InlineData("""{"title":"a","Title":"b"}""", "validation_failed")]
    [InlineData("""{"title":"a","title":"b"}""", "duplicate_property")]
    [InlineData("""{"dueDate":-62135596801}""", "validation_failed")]
    [InlineData("""{"title":"nul\u0000here"}""", "invalid_character")]
    [InlineData("""[]""", "body_not_object")]
    public async Task Bodies_that_cannot_be_stored_get_a_400_that_says_why(string body, string code)
    {
        var id = (await CreateAsync(await Admin.CreateSiteAsync()))["id"]!.GetValue<long>();
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/incidents/{id}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        await GatehouseClient.Problem(await Admin.Http.SendAsync(request), HttpStatusCode.BadRequest, code);
    }

    // Regression (red team): two closes at once both succeeded, the second overwriting the first's conclusion.
    [Fact]
    public async Task Two_closes_at_once_save_one_and_refuse_the_other_with_a_409()
    {
        var id = (await CreateAsync(await Admin.CreateSiteAsync()))["id"]!.GetValue<long>();

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            Admin.Http.PostAsJsonAsync($"/api/incidents/{id}/close", new { conclusion = $"c{i}", disposition = "Duplicate" })));

        var statuses = answers.Select(a => a.StatusCode).ToList();
        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.All(statuses.Where(s => s != HttpStatusCode.OK), s => Assert.True(s is HttpStatusCode.Conflict or HttpStatusCode.BadRequest, s.ToString()));
        var history = (await Admin.GetAsync($"/api/incidents/{id}/history")).AsArray();
        Assert.Single(history, h => h!["action"]!.GetValue<string>() == "closed");
    }

    // Regression (red team): an analyst could make a user of another site the owner, and learn which usernames exist.
    [Fact]
    public async Task Owners_are_users_of_the_incidents_site_and_the_refusal_does_not_say_whether_a_name_exists()
    {
        var mine = await Admin.CreateSiteAsync();
        var (elsewhere, _) = await Admin.CreateUserAsync(fixture.Factory, "Analyst", await Admin.CreateSiteAsync());
        var analyst = await Admin.CreateAnalystAsync(fixture.Factory, mine);
        var id = (await CreateAsync(mine))["id"]!.GetValue<long>();

        var other = await GatehouseClient.Problem(await PatchAsync(analyst, id, new { owner = elsewhere }), HttpStatusCode.BadRequest);
        var nobody = await GatehouseClient.Problem(await PatchAsync(analyst, id, new { owner = "no-such-user" }), HttpStatusCode.BadRequest);

        Assert.Equal(other["errors"]![0]!["message"]!.GetValue<string>().Replace(elsewhere.ToLowerInvariant(), "X"), nobody["errors"]![0]!["message"]!.GetValue<string>().Replace("no-such-user", "X"));
        await GatehouseClient.Json(await PatchAsync(analyst, id, new { owner = "admin" }), HttpStatusCode.OK);
    }

    [Fact]
    public async Task GetIncidents_parameters_that_cannot_be_met_get_the_400_that_lists_them()
    {
        var site = await Admin.CreateSiteAsync();
        var view = await Admin.PostAsync("/api/keys", new { name = Unique.Name("GetIncidents"), module = "UtilityCommand", method = "ApiKey", command = "GetIncidents" });
        var key = (await Admin.GetAsync($"/api/keys/{view["id"]}/secret"))["headerValue"]!.GetValue<string>();
        var body = new JsonObject
        {
            ["Username"] = "admin", ["Site"] = site,
            ["CommandParams"] = new JsonObject
            {
                ["Page Index"] = 2147483647,
                ["Filter"] = new JsonArray(new JsonObject { ["field"] = "Colour", ["operator"] = "=", ["value"] = "red" }),
            },
        };
        var request = new HttpRequestMessage(HttpMethod.Post, "/VSOC/api/Command/GetIncidents") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("d3key", key);

        var problem = await GatehouseClient.Problem(await Admin.Http.SendAsync(request), HttpStatusCode.BadRequest, "validation_failed");

        var errors = problem["errors"]!.AsArray().Select(e => e!["message"]!.GetValue<string>()).ToList();
        Assert.Contains(errors, e => e.StartsWith("'Filter[0].field' 'Colour'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("'Page Index' must be a whole number from 0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Incidents_from_a_webhook_start_their_history_with_where_they_came_from()
    {
        var site = await Admin.CreateSiteAsync();
        var integration = await Admin.CreateIntegrationAsync(incidentIntake: new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.name" } } });
        var key = await Admin.IntakeKeyAsync(integration, new { site, intake = "Incident" });
        var result = await Admin.SendAndWaitAsync(integration, site, new { name = "From the SIEM" }, key, "CreateIncidents");
        var id = result["incidents"]![0]!["id"]!.GetValue<long>();

        var created = Assert.Single((await Admin.GetAsync($"/api/incidents/{id}/history")).AsArray())!;

        Assert.Equal("created", created["action"]!.GetValue<string>());
        Assert.Equal(integration, created["actor"]!.GetValue<string>());
    }

    private async Task<JsonNode> RunAsync(string command, string site, JsonObject commandParams, bool expectError = false)
    {
        var view = await Admin.PostAsync("/api/keys", new { name = Unique.Name(command), module = "UtilityCommand", method = "ApiKey", command });
        var key = (await Admin.GetAsync($"/api/keys/{view["id"]}/secret"))["headerValue"]!.GetValue<string>();
        var body = new JsonObject { ["Username"] = "admin", ["Site"] = site, ["CommandParams"] = commandParams };
        var request = new HttpRequestMessage(HttpMethod.Post, $"/VSOC/api/Command/{command}") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("d3key", key);
        var result = await GatehouseClient.Json(await Admin.Http.SendAsync(request), HttpStatusCode.OK);
        Assert.True(expectError != (result["error"]!.GetValue<string>() == ""), result.ToJsonString());
        return result;
    }

    private async Task<List<long>> EventIdsAsync(string site, int count)
    {
        var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$[*]" });
        var key = await Admin.CreateKeyAsync(integration, site);
        var result = await Admin.SendAndWaitAsync(integration, site, Enumerable.Range(0, count).Select(i => new { i }).ToArray(), key.Value);
        return result["events"]!.AsArray().Select(e => e!["id"]!.GetValue<long>()).ToList();
    }
}

public sealed class IncidentLifecycleTestsOnSqlite(SqliteFixture fixture) : IncidentLifecycleTests(fixture), IClassFixture<SqliteFixture>;

public sealed class IncidentLifecycleTestsOnPostgres(PostgresFixture fixture) : IncidentLifecycleTests(fixture), IClassFixture<PostgresFixture>;
