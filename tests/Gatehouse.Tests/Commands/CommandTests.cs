using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;
using Gatehouse.Tests.Jwt;

namespace Gatehouse.Tests.Commands;

/// <summary>Built-in utility commands over <c>POST /VSOC/api/Command/{Command}</c>.</summary>
public abstract class CommandTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;
    private const string Site = GatehouseClient.DefaultSite;

    private async Task<string> CommandKeyAsync(string command, string? assignedUser = null)
    {
        var view = await Admin.PostAsync("/api/keys", new { name = Unique.Name(command), module = "UtilityCommand", method = "ApiKey", command, assignedUser });
        return (await Admin.GetAsync($"/api/keys/{view["id"]}/secret"))["headerValue"]!.GetValue<string>();
    }

    private async Task<HttpResponseMessage> RunAsync(string command, string key, object commandParams, string site = Site, string? username = "admin", string path = "/VSOC/api/Command/")
    {
        var body = new JsonObject { ["Site"] = site, ["CommandParams"] = System.Text.Json.JsonSerializer.SerializeToNode(commandParams) };
        if (username is not null)
        {
            body["Username"] = username;
        }
        var request = new HttpRequestMessage(HttpMethod.Post, path + command) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("d3key", key);
        return await Admin.Http.SendAsync(request);
    }

    private async Task<JsonNode> OkAsync(string command, object commandParams, string? key = null)
    {
        var result = await GatehouseClient.Json(await RunAsync(command, key ?? await CommandKeyAsync(command), commandParams), HttpStatusCode.OK);
        Assert.True(result["error"]!.GetValue<string>() == "", result.ToJsonString());
        return result;
    }

    private async Task<List<long>> EventsAsync(int count, string site = Site)
    {
        var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$[*]" });
        var key = await Admin.CreateKeyAsync(integration, site);
        var result = await Admin.SendAndWaitAsync(integration, site, Enumerable.Range(0, count).Select(i => new { i }).ToArray(), key.Value);
        return result["events"]!.AsArray().Select(e => e!["id"]!.GetValue<long>()).ToList();
    }

    [Fact]
    public async Task CreateIncident_creates_an_incident_on_the_site()
    {
        var result = await OkAsync("CreateIncident", new Dictionary<string, object>
        {
            ["Incident Type"] = "Phishing", ["Title"] = "Reported mail", ["Severity"] = "High", ["Description"] = "From the hotline",
            ["Due Date"] = "2026-12-01 12:00:00", ["Raw Data"] = new { reporter = "bob" },
        });

        var id = result["returnData"]!["incidentId"]!.GetValue<long>();
        var incident = await Admin.GetAsync($"/api/incidents/{id}");
        Assert.Equal("Reported mail", incident["title"]!.GetValue<string>());
        Assert.Equal("High", incident["severity"]!.GetValue<string>());
        Assert.Equal("admin", incident["owner"]!.GetValue<string>());
        Assert.Equal("bob", incident["raw"]!["reporter"]!.GetValue<string>());
        Assert.Equal("2026-12-01T12:00:00+00:00", incident["dueDate"]!.GetValue<string>());
        Assert.Equal("admin", incident["creator"]!.GetValue<string>());
        Assert.Matches("^\\d{8}-\\d+$", result["returnData"]!["IR Number"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_parameter_violation_is_listed_in_one_400()
    {
        var key = await CommandKeyAsync("CreateIncident");

        var problem = await GatehouseClient.Problem(await RunAsync("CreateIncident", key, new Dictionary<string, object>
        {
            ["Title"] = 42, ["Severity"] = "Apocalyptic", ["Due Date"] = "next tuesday", ["Colour"] = "red",
        }), HttpStatusCode.BadRequest, "validation_failed");

        var errors = problem["errors"]!.AsArray().Select(e => e!["message"]!.GetValue<string>()).ToList();
        Assert.Equal(5, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("'Incident Type' is required"));
        Assert.Contains(errors, e => e.StartsWith("'Title' must be text"));
        Assert.Contains(errors, e => e.StartsWith("'Severity' must be one of: Critical, High, Medium, Low, Informational"));
        Assert.Contains(errors, e => e.StartsWith("'Due Date' must be a date and time as yyyy-MM-dd HH:mm:ss or ISO 8601"));
        Assert.Contains(errors, e => e.StartsWith("'Colour' is not a parameter of this command; known parameters: Incident Type, Title"));
        var notObject = await GatehouseClient.Problem(await RunAsync("CreateIncident", key, new[] { 1 }), HttpStatusCode.BadRequest);
        Assert.Contains("CommandParams", notObject["Error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Sentinels_exact_poll_returns_the_incidents_created_through_CreateIncident()
    {
        await OkAsync("CreateIncident", new Dictionary<string, object> { ["Incident Type"] = "Malware", ["Title"] = "Seen by Sentinel" });
        await Admin.PutAsync("/api/settings/EnableEnhanceWebhookAuthentication", new { value = true });
        try
        {
            var (view, secret) = await JwtTestKit.JwtKeyAsync(Admin, new
            {
                name = Unique.Name("Sentinel"), module = "UtilityCommand", method = "Jwt", command = "GetIncidentsWithNewParameters",
                payloadFields = new[] { "Username", "Site" },
            });
            // The poller's static token covers Username and Site only.
            var token = JwtTestKit.Forge(JwtTestKit.Header(view["kid"]!.GetValue<string>()), $"{{\"Username\":\"admin\",\"Site\":\"{Site}\"}}", secret);
            var now = DateTime.UtcNow;
            var body = $$$"""
                {"Username":"admin","Site":"{{{Site}}}","CommandParams":{"Start Time":"{{{now.AddHours(-1):yyyy-MM-dd HH:mm:ss}}}","End Time":"{{{now.AddHours(1):yyyy-MM-dd HH:mm:ss}}}","Output Format":"JSON","Page Index":0,"Page Size":100,"Static Fields":["Incident Number","Title","Severity","Status","Created Time","Custom Field From Sentinel"],"PollFromSentinel":true}}
                """;
            var request = new HttpRequestMessage(HttpMethod.Post, "/vsoc/api/command/GetIncidentsWithNewParameters") { Content = new StringContent(body, Encoding.UTF8) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation("d3jwt", token);

            var result = await GatehouseClient.Json(await Admin.Http.SendAsync(request), HttpStatusCode.OK);

            Assert.Equal("", result["error"]!.GetValue<string>());
            var incidents = result["rawData"]!["incidents"]!.AsArray();
            var seen = Assert.Single(incidents, i => i!["Title"]!.GetValue<string>() == "Seen by Sentinel")!;
            Assert.Equal("Medium", seen["Severity"]!.GetValue<string>());
            Assert.NotNull(seen["IR Number"]);
            Assert.Null(seen["Description"]);
            Assert.Equal("Custom Field From Sentinel", result["contextData"]!["unknownStaticFields"]![0]!.GetValue<string>());
        }
        finally
        {
            await Admin.PutAsync("/api/settings/EnableEnhanceWebhookAuthentication", new { value = false });
        }
    }

    [Fact]
    public async Task GetIncidents_pages_and_filters_by_creation_time()
    {
        var site = await Admin.CreateSiteAsync();
        var key = await CommandKeyAsync("CreateIncident");
        for (var i = 0; i < 3; i++)
        {
            await GatehouseClient.Json(await RunAsync("CreateIncident", key, new Dictionary<string, object> { ["Incident Type"] = "T", ["Title"] = $"n{i}" }, site), HttpStatusCode.OK);
        }
        var get = await CommandKeyAsync("GetIncidents");

        var page = await GatehouseClient.Json(await RunAsync("GetIncidents", get, new Dictionary<string, object> { ["Page Size"] = 2, ["Page Index"] = 1 }, site), HttpStatusCode.OK);
        var future = await GatehouseClient.Json(await RunAsync("GetIncidents", get, new Dictionary<string, object> { ["Start Time"] = DateTime.UtcNow.AddHours(1).ToString("O") }, site), HttpStatusCode.OK);

        Assert.Equal(3, page["rawData"]!["total"]!.GetValue<int>());
        Assert.Equal("n2", Assert.Single(page["rawData"]!["incidents"]!.AsArray())!["Title"]!.GetValue<string>());
        Assert.Empty(future["rawData"]!["incidents"]!.AsArray());
    }

    [Fact]
    public async Task DismissEvents_dismisses_the_source_and_relevant_events()
    {
        var ids = await EventsAsync(3);

        var result = await OkAsync("DismissEvents", new Dictionary<string, object>
        {
            ["Source Event ID"] = ids[0], ["Relevant Event IDs"] = new[] { ids[1], ids[2] }, ["Reason Code"] = "FP", ["Dismissal Reason"] = "Test traffic",
        });

        var dismissed = result["returnData"]!["dismissedEvents"]!.AsArray();
        Assert.Equal(ids, dismissed.Select(d => d!["eventId"]!.GetValue<long>()));
        Assert.Equal(["Source", "Relevant", "Relevant"], dismissed.Select(d => d!["type"]!.GetValue<string>()));
        Assert.Equal("Dismissed", (await Admin.GetAsync($"/api/events/{ids[2]}"))["status"]!.GetValue<string>());
        var missing = await GatehouseClient.Json(await RunAsync("DismissEvents", await CommandKeyAsync("DismissEvents"), new Dictionary<string, object> { ["Source Event ID"] = 99999999 }), HttpStatusCode.OK);
        Assert.Contains("There is no event 99999999", missing["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task SetEventTechniques_sets_technique_ids_and_refuses_names_without_the_catalogue()
    {
        var ids = await EventsAsync(2);
        var key = await CommandKeyAsync("SetEventTechniques");

        var result = await GatehouseClient.Json(await RunAsync("SetEventTechniques", key, new Dictionary<string, object> { ["Event IDs"] = ids, ["Techniques"] = new[] { "T1059.001", "t1566" } }), HttpStatusCode.OK);
        var byName = await GatehouseClient.Json(await RunAsync("SetEventTechniques", key, new Dictionary<string, object> { ["Event IDs"] = ids, ["Techniques"] = new[] { "PowerShell" } }), HttpStatusCode.OK);

        Assert.Equal("", result["error"]!.GetValue<string>());
        var first = result["contextData"]![0]!;
        Assert.Equal(ids[0], first["EventId"]!.GetValue<long>());
        Assert.Equal(["T1059.001", "T1566"], first["techniques"]!.AsArray().Select(t => t!["TechniqueId"]!.GetValue<string>()));
        Assert.Contains("catalogue", byName["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task LinkEventsToIncident_links_events_of_the_site()
    {
        var ids = await EventsAsync(2);
        var incident = await OkAsync("CreateIncident", new Dictionary<string, object> { ["Incident Type"] = "T" });
        var incidentId = incident["returnData"]!["incidentId"]!.GetValue<long>();

        await OkAsync("LinkEventsToIncident", new Dictionary<string, object> { ["Incident ID"] = incidentId, ["Event IDs"] = ids });

        Assert.Equal(ids, (await Admin.GetAsync($"/api/incidents/{incidentId}"))["eventIds"]!.AsArray().Select(e => e!.GetValue<long>()));
    }

    [Fact]
    public async Task GetEvents_returns_the_sites_events_with_their_fields()
    {
        var site = await Admin.CreateSiteAsync();
        var ids = await EventsAsync(2, site);

        var result = await GatehouseClient.Json(await RunAsync("GetEvents", await CommandKeyAsync("GetEvents"), new Dictionary<string, object> { ["Status"] = "New" }, site), HttpStatusCode.OK);

        Assert.Equal(ids, result["rawData"]!["events"]!.AsArray().Select(e => e!["Event ID"]!.GetValue<long>()));
    }

    [Fact]
    public async Task ExtractArtifacts_and_MitreTtpSearch_read_indicators_from_text()
    {
        const string text = "Beacon from 10.1.2.3 to https://evil.example.com/x?a=1 by mal@evil.example.com, " +
            "hash 44d88612fea8a8f36de82e1278abb02f, T1059.001 and TA0002 on host files.corp.local ran cmd.exe";

        var artifacts = (await OkAsync("ExtractArtifacts", new Dictionary<string, object> { ["Text"] = text }))["returnData"]!;
        var ttp = (await OkAsync("MitreTtpSearch", new Dictionary<string, object> { ["Text"] = text }))["returnData"]!;

        Assert.Equal(["10.1.2.3"], artifacts["ipAddresses"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["https://evil.example.com/x?a=1"], artifacts["urls"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["mal@evil.example.com"], artifacts["emailAddresses"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["44d88612fea8a8f36de82e1278abb02f"], artifacts["hashes"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Contains("files.corp.local", artifacts["domains"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.DoesNotContain("cmd.exe", artifacts["domains"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["T1059.001", "TA0002"], ttp["techniques"]!.AsArray().Select(v => v!["techniqueId"]!.GetValue<string>()));
        Assert.Equal("explicit-id", ttp["techniques"]![0]!["layer"]!.GetValue<string>());
        Assert.Equal(["explicit IDs"], ttp["layers"]!.AsArray().Select(v => v!.GetValue<string>()));
    }

    [Fact]
    public async Task Keys_commands_users_and_sites_are_enforced()
    {
        var key = await CommandKeyAsync("GetEvents");
        var mine = await Admin.CreateSiteAsync();
        var other = await Admin.CreateSiteAsync();
        var (analyst, _) = await Admin.CreateUserAsync(fixture.Factory, "Analyst", mine);
        var analystKey = await CommandKeyAsync("GetEvents", assignedUser: analyst);

        await GatehouseClient.Problem(await RunAsync("GetIncidents", key, new { }), HttpStatusCode.Unauthorized);
        await GatehouseClient.Problem(await RunAsync("NoSuchCommand", key, new { }), HttpStatusCode.NotFound);
        await GatehouseClient.Problem(await RunAsync("GetEvents", key, new { }, site: "No Such Site"), HttpStatusCode.NotFound);
        await GatehouseClient.Problem(await RunAsync("GetEvents", key, new { }, username: "ghost"), HttpStatusCode.Unauthorized);
        await GatehouseClient.Problem(await RunAsync("GetEvents", analystKey, new { }, other, username: analyst), HttpStatusCode.Forbidden);
        await GatehouseClient.Json(await RunAsync("GetEvents", analystKey, new { }, mine, username: null), HttpStatusCode.OK);
        await GatehouseClient.Problem(await Admin.Http.PostAsync($"/VSOC/api/Command/GetEvents", new StringContent("[1]", Encoding.UTF8, "application/json")), HttpStatusCode.Unauthorized);

        var runs = (await Admin.GetAsync("/api/command-runs?command=GetEvents"))["items"]!.AsArray();
        var run = runs.First(r => r!["site"]!.GetValue<string>() == mine)!;
        Assert.Equal(analyst, run["username"]!.GetValue<string>());
        Assert.True(run["durationMilliseconds"]!.GetValue<long>() >= 0);
        Assert.True(run["resultBytes"]!.GetValue<long>() > 0);
    }
}

public sealed class CommandTestsOnSqlite(SqliteFixture fixture) : CommandTests(fixture), IClassFixture<SqliteFixture>;

public sealed class CommandTestsOnPostgres(PostgresFixture fixture) : CommandTests(fixture), IClassFixture<PostgresFixture>;
