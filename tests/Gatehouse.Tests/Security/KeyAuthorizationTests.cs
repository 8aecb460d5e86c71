using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Tests.Security;

/// <summary>
/// Who may name whom on a key, and what a command run through a key may do: nobody gives a key
/// more power than they have, and a run gets the intersection of the key's, its creator's and the
/// acting user's rights. Regression tests for findings 1 and 2 of the red-team pass, then the matrix.
/// </summary>
public abstract class KeyAuthorizationTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;

    private static async Task<HttpResponseMessage> RunAsync(GatehouseClient client, string command, string key, string site, string? username, object? commandParams = null)
    {
        var body = new JsonObject { ["Site"] = site, ["CommandParams"] = System.Text.Json.JsonSerializer.SerializeToNode(commandParams ?? new { }) };
        if (username is not null)
        {
            body["Username"] = username;
        }
        var request = new HttpRequestMessage(HttpMethod.Post, $"/VSOC/api/Command/{command}") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("d3key", key);
        return await client.Http.SendAsync(request);
    }

    private static async Task<string> ValueAsync(GatehouseClient client, int keyId) =>
        (await client.GetAsync($"/api/keys/{keyId}/secret"))["headerValue"]!.GetValue<string>();

    [Fact]
    public async Task Analyst_cannot_act_as_an_administrator_on_another_site_through_a_utility_key()
    {
        var siteA = await Admin.CreateSiteAsync();
        var siteB = await Admin.CreateSiteAsync();
        var (_, analyst) = await Admin.CreateUserAsync(fixture.Factory, "Analyst", siteA);

        // The reported attack: assign the key to admin (or make it visible to all), then run as admin on site B.
        await GatehouseClient.Problem(await analyst.Http.PostAsJsonAsync("/api/keys", new
        {
            name = Unique.Name("escalate"), module = "UtilityCommand", method = "ApiKey", command = "CreateIncident", assignedUser = "admin",
        }), HttpStatusCode.Forbidden, "forbidden");
        await GatehouseClient.Problem(await analyst.Http.PostAsJsonAsync("/api/keys", new
        {
            name = Unique.Name("escalate"), module = "UtilityCommand", method = "ApiKey", command = "CreateIncident", visibleToAll = true,
        }), HttpStatusCode.Forbidden, "forbidden");

        // The analyst's own key, then the PATCH route to the same end.
        var own = await analyst.PostAsync("/api/keys", new { name = Unique.Name("own"), module = "UtilityCommand", method = "ApiKey", command = "CreateIncident" });
        var id = own["id"]!.GetValue<int>();
        await GatehouseClient.Problem(await analyst.Http.PatchAsJsonAsync($"/api/keys/{id}", new { assignedUser = "admin" }), HttpStatusCode.Forbidden);
        await GatehouseClient.Problem(await analyst.Http.PatchAsJsonAsync($"/api/keys/{id}", new { visibleToAll = true }), HttpStatusCode.Forbidden);
        var value = await ValueAsync(analyst, id);

        var incident = new Dictionary<string, object> { ["Incident Type"] = "Phishing", ["Title"] = "escalated" };
        await GatehouseClient.Problem(await RunAsync(analyst, "CreateIncident", value, siteB, "admin", incident), HttpStatusCode.Unauthorized);
        await GatehouseClient.Problem(await RunAsync(analyst, "CreateIncident", value, siteB, null, incident), HttpStatusCode.Forbidden);
        var created = await GatehouseClient.Json(await RunAsync(analyst, "CreateIncident", value, siteA, null, incident), HttpStatusCode.OK);
        Assert.Equal("", created["error"]!.GetValue<string>());

        var incidentsOnB = (await Admin.GetAsync($"/api/incidents?site={Uri.EscapeDataString(siteB)}"))["items"]!.AsArray();
        Assert.Empty(incidentsOnB);
        var key = await Admin.GetAsync($"/api/keys/{id}");
        Assert.Null(key["assignedUser"]);
        Assert.False(key["visibleToAll"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Analyst_holding_an_administrators_key_cannot_name_the_administrator_to_reach_another_site()
    {
        var siteA = await Admin.CreateSiteAsync();
        var siteB = await Admin.CreateSiteAsync();
        var (analystName, analyst) = await Admin.CreateUserAsync(fixture.Factory, "Analyst", siteA);
        var view = await Admin.PostAsync("/api/keys", new { name = Unique.Name("handed"), module = "UtilityCommand", method = "ApiKey", command = "GetIncidents", assignedUser = analystName });
        var value = await ValueAsync(analyst, view["id"]!.GetValue<int>());

        var asAdminOnB = await RunAsync(analyst, "GetIncidents", value, siteB, "admin");
        var asAdminOnA = await RunAsync(analyst, "GetIncidents", value, siteA, "admin");

        await GatehouseClient.Problem(asAdminOnB, HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, asAdminOnA.StatusCode);
    }

    [Fact]
    public async Task Analyst_cannot_weaken_the_token_binding_of_an_administrators_jwt_key_on_their_site()
    {
        await Admin.PutAsync("/api/settings/EnableEnhanceWebhookAuthentication", new { value = true });
        try
        {
            var site = await Admin.CreateSiteAsync();
            var (_, analyst) = await Admin.CreateUserAsync(fixture.Factory, "Analyst", site);
            var (_, otherAdmin) = await Admin.CreateUserAsync(fixture.Factory, "Administrator");
            var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$" });
            var key = await Admin.PostAsync("/api/keys", new
            {
                name = Unique.Name("bound"), module = "DataIngestion", method = "Jwt", site, integration, intake = "Event",
                payloadFields = new[] { "Timestamp", "Site" }, rejectReplayedTokens = true,
            });
            var id = key["id"]!.GetValue<int>();

            await GatehouseClient.Problem(await analyst.Http.PatchAsJsonAsync($"/api/keys/{id}", new { payloadFields = Array.Empty<string>() }), HttpStatusCode.Forbidden);
            await GatehouseClient.Problem(await analyst.Http.PatchAsJsonAsync($"/api/keys/{id}", new { rejectReplayedTokens = false }), HttpStatusCode.Forbidden);
            await GatehouseClient.Problem(await otherAdmin.Http.PatchAsJsonAsync($"/api/keys/{id}", new { maxTokenAgeSeconds = 0 }), HttpStatusCode.Forbidden);
            Assert.Equal(HttpStatusCode.OK, (await analyst.Http.PatchAsJsonAsync($"/api/keys/{id}", new { runMitreTtpSearch = true })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await Admin.Http.PatchAsJsonAsync($"/api/keys/{id}", new { maxTokenAgeSeconds = 60 })).StatusCode);
            var after = await Admin.GetAsync($"/api/keys/{id}");
            Assert.Equal(2, after["payloadFields"]!.AsArray().Count);
            Assert.True(after["rejectReplayedTokens"]!.GetValue<bool>());
        }
        finally
        {
            await Admin.PutAsync("/api/settings/EnableEnhanceWebhookAuthentication", new { value = false });
        }
    }

    [Fact]
    public async Task Another_administrator_cannot_read_a_key_value_by_assigning_the_key_to_themselves()
    {
        var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$" });
        var (id, _, _) = await Admin.CreateKeyAsync(integration);
        var (otherAdminName, otherAdmin) = await Admin.CreateUserAsync(fixture.Factory, "Administrator");

        await GatehouseClient.Problem(await otherAdmin.Http.PatchAsJsonAsync($"/api/keys/{id}", new { assignedUser = otherAdminName }), HttpStatusCode.Forbidden);
        await GatehouseClient.Problem(await otherAdmin.Http.GetAsync($"/api/keys/{id}/secret"), HttpStatusCode.Forbidden);

        // The creator may hand the key on; then the new assignee may read it and reassign it.
        await Admin.Http.PatchAsJsonAsync($"/api/keys/{id}", new { assignedUser = otherAdminName });
        Assert.False(string.IsNullOrEmpty(await ValueAsync(otherAdmin, id)));
        Assert.Equal(HttpStatusCode.OK, (await otherAdmin.Http.PatchAsJsonAsync($"/api/keys/{id}", new { assignedUser = "" })).StatusCode);
        await GatehouseClient.Problem(await otherAdmin.Http.GetAsync($"/api/keys/{id}/secret"), HttpStatusCode.Forbidden);
    }

    public static TheoryData<string, string, string> CreateMatrix()
    {
        // actor × what the key names × expected: an analyst of site A (sub-analyst: an analyst of A only,
        // peer: an analyst of A and B, admin2: another administrator).
        var data = new TheoryData<string, string, string>();
        foreach (var module in new[] { "DataIngestion", "Integration", "UtilityCommand" })
        {
            data.Add("analyst", $"{module}:none", "201");
            data.Add("analyst", $"{module}:assign-self", "201");
            data.Add("analyst", $"{module}:assign-sub-analyst", "201");
            data.Add("analyst", $"{module}:assign-peer-analyst", "403");
            data.Add("analyst", $"{module}:assign-admin", "403");
            data.Add("analyst", $"{module}:visible-to-all", "403");
            data.Add("admin", $"{module}:assign-admin2", "201");
            data.Add("admin", $"{module}:assign-peer-analyst", "201");
            data.Add("admin", $"{module}:visible-to-all", "201");
        }
        data.Add("analyst", "DataIngestion:other-site", "403");
        data.Add("analyst", "Integration:other-site", "403");
        return data;
    }

    [Theory]
    [MemberData(nameof(CreateMatrix))]
    public async Task Creating_a_key_never_gives_it_more_rights_than_its_creator(string actor, string request, string expected)
    {
        var siteA = await Admin.CreateSiteAsync();
        var siteB = await Admin.CreateSiteAsync();
        var (analystName, analyst) = await Admin.CreateUserAsync(fixture.Factory, "Analyst", siteA);
        var (subName, _) = await Admin.CreateUserAsync(fixture.Factory, "Analyst", siteA);
        var (peerName, _) = await Admin.CreateUserAsync(fixture.Factory, "Analyst", siteA, siteB);
        var (admin2Name, _) = await Admin.CreateUserAsync(fixture.Factory, "Administrator");
        var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$" });
        await Admin.PutAsync($"/api/integrations/{Uri.EscapeDataString(integration)}", new
        {
            commands = new[] { new { name = "Ping", request = new { method = "GET", path = "/ping" } } },
        });
        var (module, option) = (request.Split(':')[0], request.Split(':')[1]);
        var body = new JsonObject { ["name"] = Unique.Name("matrix"), ["module"] = module, ["method"] = "ApiKey" };
        switch (module)
        {
            case "UtilityCommand": body["command"] = "GetEvents"; break;
            case "Integration": body["integration"] = integration; body["command"] = "Ping"; body["site"] = option == "other-site" ? siteB : siteA; break;
            default: body["integration"] = integration; body["intake"] = "Event"; body["site"] = option == "other-site" ? siteB : siteA; break;
        }
        switch (option)
        {
            case "assign-self": body["assignedUser"] = analystName; break;
            case "assign-sub-analyst": body["assignedUser"] = subName; break;
            case "assign-peer-analyst": body["assignedUser"] = peerName; break;
            case "assign-admin": body["assignedUser"] = "admin"; break;
            case "assign-admin2": body["assignedUser"] = admin2Name; break;
            case "visible-to-all": body["visibleToAll"] = true; break;
        }
        var client = actor == "admin" ? Admin : analyst;

        var response = await client.Http.PostAsync("/api/keys", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));

        Assert.True(expected == ((int)response.StatusCode).ToString(), $"{actor} {request}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public static TheoryData<string, string, string, string> RunMatrix() => new()
    {
        // key creator, named acting user, site, expected
        { "analystA", "self", "A", "200" },
        { "analystA", "self", "B", "403" },
        { "analystA", "admin", "A", "401" },
        { "analystA", "admin", "B", "401" },
        { "analystA", "peer", "A", "401" },
        { "admin", "self", "B", "200" },
        { "admin", "assigned-analystA", "A", "200" },
        { "admin", "assigned-analystA", "B", "403" },
        { "admin-assigned-analystA", "admin", "B", "403" },
        { "admin-assigned-analystA", "admin", "A", "200" },
        { "admin", "peer", "A", "401" },
        { "admin-visible-to-all", "peer", "B", "200" },
        { "admin-visible-to-all", "analystA", "B", "403" },
        { "admin-visible-to-all", "disabled", "A", "401" },
        { "analystA-demoted", "self", "A", "403" },
    };

    [Theory]
    [MemberData(nameof(RunMatrix))]
    public async Task A_command_runs_with_the_intersection_of_the_keys_its_creators_and_the_acting_users_rights(string creator, string acting, string site, string expected)
    {
        var siteA = await Admin.CreateSiteAsync();
        var siteB = await Admin.CreateSiteAsync();
        var (analystName, analyst) = await Admin.CreateUserAsync(fixture.Factory, "Analyst", siteA);
        var (peerName, _) = await Admin.CreateUserAsync(fixture.Factory, "Analyst", siteA, siteB);
        var (disabledName, _) = await Admin.CreateUserAsync(fixture.Factory, "Analyst", siteA);
        var (creatorClient, creatorName) = creator.StartsWith("analystA") ? (analyst, analystName) : (Admin, "admin");
        var view = await creatorClient.PostAsync("/api/keys", new
        {
            name = Unique.Name("run"), module = "UtilityCommand", method = "ApiKey", command = "GetEvents",
            assignedUser = acting == "assigned-analystA" || creator == "admin-assigned-analystA" ? analystName : null,
            visibleToAll = creator == "admin-visible-to-all" ? true : (bool?)null,
        });
        var value = await ValueAsync(creatorClient, view["id"]!.GetValue<int>());
        await using (var db = fixture.Factory.Store.OpenDb())
        {
            await db.Users.Where(u => u.Username == disabledName).ExecuteUpdateAsync(s => s.SetProperty(u => u.Enabled, false));
            if (creator == "analystA-demoted")
            {
                // The creator loses site A after making the key: the key loses it too.
                var analystId = await db.Users.Where(u => u.Username == analystName).Select(u => u.Id).FirstAsync();
                await db.UserSites.Where(us => us.UserId == analystId).ExecuteDeleteAsync();
            }
        }
        var username = acting switch
        {
            "self" => creatorName, "admin" => "admin", "peer" => peerName, "assigned-analystA" => analystName, "analystA" => analystName,
            "disabled" => disabledName, _ => throw new ArgumentException(acting),
        };

        var response = await RunAsync(Admin, "GetEvents", value, site == "A" ? siteA : siteB, username);

        Assert.True(expected == ((int)response.StatusCode).ToString(), $"{creator} as {acting} on {site}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}

public sealed class KeyAuthorizationTestsOnSqlite(SqliteFixture fixture) : KeyAuthorizationTests(fixture), IClassFixture<SqliteFixture>;

public sealed class KeyAuthorizationTestsOnPostgres(PostgresFixture fixture) : KeyAuthorizationTests(fixture), IClassFixture<PostgresFixture>;
