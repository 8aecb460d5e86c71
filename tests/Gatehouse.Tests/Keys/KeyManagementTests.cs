using System.Net;
using System.Net.Http.Json;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Keys;

public abstract class KeyManagementTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;
    private GatehouseFactory Factory => fixture.Factory;
    private const string Site = GatehouseClient.DefaultSite;

    [Fact]
    public async Task A_utility_command_key_targets_one_command_and_has_no_site()
    {
        var created = await Admin.PostAsync("/api/keys", new { name = Unique.Name("Sentinel poll"), module = "UtilityCommand", method = "ApiKey", command = "getincidentswithnewparameters" });

        Assert.Equal("UtilityCommand", created["module"]!.GetValue<string>());
        Assert.Equal("GetIncidentsWithNewParameters", created["command"]!.GetValue<string>());
        Assert.Null(created["site"]);
        var url = Assert.Single(created["requestUrls"]!.AsArray())!;
        Assert.Null(url["site"]);
        Assert.EndsWith("/VSOC/api/Command/GetIncidentsWithNewParameters", url["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task Utility_command_keys_are_validated()
    {
        var unknown = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/keys",
            new { name = "k", module = "UtilityCommand", command = "FormatDisk" }), HttpStatusCode.BadRequest);
        var withSite = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/keys",
            new { name = "k", module = "UtilityCommand", command = "GetEvents", site = Site, runMitreTtpSearch = true }), HttpStatusCode.BadRequest);

        Assert.Contains("Built-in commands", unknown["Error"]!.GetValue<string>());
        Assert.Equal(2, withSite["errors"]!.AsArray().Count);
    }

    [Fact]
    public async Task Key_names_are_unique_within_their_target_only()
    {
        var integration = await Admin.CreateIntegrationAsync(incidentIntake: new { mainJsonPath = "$" });
        var name = Unique.Name("Shared name");
        object Body(string intake, string? site = Site) => new { name, module = "DataIngestion", method = "ApiKey", site, integration, intake };

        await Admin.PostAsync("/api/keys", Body("Event"));
        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/keys", Body("Event", await Admin.CreateSiteAsync())), HttpStatusCode.Conflict, "key_exists");
        await Admin.PostAsync("/api/keys", Body("Incident"));
        await Admin.PostAsync("/api/keys", new { name, module = "UtilityCommand", command = "GetEvents" });
        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/keys", new { name, module = "UtilityCommand", command = "GetEvents" }), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Regenerating_without_grace_refuses_the_old_value_at_once()
    {
        var integration = await Admin.CreateIntegrationAsync();
        var key = await Admin.CreateKeyAsync(integration);
        Assert.Equal(HttpStatusCode.Accepted, (await Admin.SendAsync(integration, Site, new { n = 1 }, key.Value)).StatusCode);

        var view = await Admin.PostAsync($"/api/keys/{key.Id}/regenerate", new { }, HttpStatusCode.OK);
        var newValue = (await Admin.GetAsync($"/api/keys/{key.Id}/secret"))["headerValue"]!.GetValue<string>();

        Assert.NotEqual(key.Value, newValue);
        Assert.NotNull(view["regeneratedAt"]);
        Assert.Null(view["previousValueValidUntil"]);
        await GatehouseClient.Problem(await Admin.SendAsync(integration, Site, new { n = 2 }, key.Value), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.Accepted, (await Admin.SendAsync(integration, Site, new { n = 3 }, newValue)).StatusCode);
        var failures = await Admin.AuditAsync($"?key={key.Id}&action=webhook.auth_failed");
        Assert.Contains(failures, f => f!["reason"]!.GetValue<string>() == "Regenerated");
        Assert.Single(await Admin.AuditAsync($"?key={key.Id}&action=key.regenerated"));
    }

    [Fact]
    public async Task Regenerating_with_grace_keeps_the_old_value_working_until_the_grace_ends()
    {
        var integration = await Admin.CreateIntegrationAsync();
        var key = await Admin.CreateKeyAsync(integration);

        var view = await Admin.PostAsync($"/api/keys/{key.Id}/regenerate", new { graceSeconds = 2 }, HttpStatusCode.OK);
        var newValue = (await Admin.GetAsync($"/api/keys/{key.Id}/secret"))["headerValue"]!.GetValue<string>();

        Assert.NotNull(view["previousValueValidUntil"]);
        Assert.Equal(HttpStatusCode.Accepted, (await Admin.SendAsync(integration, Site, new { n = 1 }, key.Value)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await Admin.SendAsync(integration, Site, new { n = 2 }, newValue)).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(2.3));
        await GatehouseClient.Problem(await Admin.SendAsync(integration, Site, new { n = 3 }, key.Value), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.Accepted, (await Admin.SendAsync(integration, Site, new { n = 4 }, newValue)).StatusCode);
        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync($"/api/keys/{key.Id}/regenerate", new { graceSeconds = -1 }), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_assigned_analyst_can_reveal_the_value_and_another_administrator_cannot_each_attempt_audited()
    {
        var integration = await Admin.CreateIntegrationAsync();
        var (analystName, analyst) = await Admin.CreateUserAsync(Factory, "Analyst", Site);
        var (_, otherAdmin) = await Admin.CreateUserAsync(Factory, "Administrator");
        var created = await Admin.PostAsync("/api/keys", new
        {
            name = Unique.Name("Assigned"), module = "DataIngestion", method = "ApiKey", site = Site, integration, intake = "Event", assignedUser = analystName,
        });
        var id = created["id"]!.GetValue<int>();

        var byAnalyst = await analyst.GetAsync($"/api/keys/{id}/secret");
        await GatehouseClient.Problem(await otherAdmin.Http.GetAsync($"/api/keys/{id}/secret"), HttpStatusCode.Forbidden);
        var byCreator = await Admin.GetAsync($"/api/keys/{id}/secret");

        Assert.Equal(byCreator["headerValue"]!.GetValue<string>(), byAnalyst["headerValue"]!.GetValue<string>());
        Assert.Equal(analystName, created["assignedUser"]!.GetValue<string>());
        var revealed = await Admin.AuditAsync($"?key={id}&action=key.revealed");
        Assert.Equal(2, revealed.Count);
        Assert.Contains(revealed, r => r!["actor"]!.GetValue<string>() == analystName);
        Assert.Single(await Admin.AuditAsync($"?key={id}&action=key.reveal_refused"));
    }

    [Fact]
    public async Task Intake_options_are_stored_returned_and_checked()
    {
        var integration = await Admin.CreateIntegrationAsync(incidentIntake: new { mainJsonPath = "$" });
        var formatter = Unique.Name("Normalize Wiz");
        await Admin.PostAsync("/api/commands", new { name = formatter, script = "function format(e) { return e; }", features = new[] { "DataFormatter" } });
        var playbook = Unique.Name("Enrich event");
        var incidentPlaybook = Unique.Name("Triage");
        foreach (var (name, kind) in new[] { (playbook, "Event"), (incidentPlaybook, "Incident") })
        {
            await Admin.PostAsync("/api/playbooks", new { name, kind, tasks = new[] { new { id = "artifacts", command = "ExtractArtifacts", @params = new Dictionary<string, string> { ["Text"] = "x" } } } });
        }
        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/keys", new
        {
            name = Unique.Name("Options"), module = "Integration", method = "ApiKey", site = Site, integration, intake = "Event", eventPlaybook = "No such playbook",
        }), HttpStatusCode.BadRequest);
        var wrongKind = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/keys", new
        {
            name = Unique.Name("Options"), module = "Integration", method = "ApiKey", site = Site, integration, intake = "Event", eventPlaybook = incidentPlaybook,
        }), HttpStatusCode.BadRequest);
        Assert.Contains("an event intake key runs an Event playbook", wrongKind.ToJsonString());
        var created = await Admin.PostAsync("/api/keys", new
        {
            name = Unique.Name("Options"), module = "Integration", method = "ApiKey", site = Site, integration, intake = "Event",
            dataFormatter = formatter, eventPlaybook = playbook, runMitreTtpSearch = true, runEventAutomationRules = true, rateLimitPerSecond = 20,
        });
        var id = created["id"]!.GetValue<int>();

        Assert.Equal(formatter, created["dataFormatter"]!.GetValue<string>());
        Assert.Equal(playbook, created["eventPlaybook"]!.GetValue<string>());
        Assert.True(created["runMitreTtpSearch"]!.GetValue<bool>());
        Assert.True(created["runEventAutomationRules"]!.GetValue<bool>());
        Assert.Equal(20, created["rateLimitPerSecond"]!.GetValue<int>());
        var patched = await GatehouseClient.Json(await Admin.Http.PatchAsJsonAsync($"/api/keys/{id}", new { dataFormatter = "", runMitreTtpSearch = false, rateLimitPerSecond = 0 }), HttpStatusCode.OK);
        Assert.Null(patched["dataFormatter"]);
        Assert.False(patched["runMitreTtpSearch"]!.GetValue<bool>());
        Assert.Equal(50, patched["rateLimitPerSecond"]!.GetValue<int>());
        Assert.Single(await Admin.AuditAsync($"?key={id}&action=key.updated"));

        var incident = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/keys", new
        {
            name = "incident rules", module = "DataIngestion", site = Site, integration, intake = "Incident", runEventAutomationRules = true,
        }), HttpStatusCode.BadRequest);
        Assert.Contains("does not apply to incident intake", incident["Error"]!.GetValue<string>());
        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/keys", new
        {
            name = "too fast", module = "DataIngestion", site = Site, integration, intake = "Event", rateLimitPerSecond = 0,
        }), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_key_own_rate_limit_replaces_the_default()
    {
        var integration = await Admin.CreateIntegrationAsync();
        var created = await Admin.PostAsync("/api/keys", new { name = Unique.Name("Slow"), module = "DataIngestion", site = Site, integration, intake = "Event", rateLimitPerSecond = 2 });
        var value = (await Admin.GetAsync($"/api/keys/{created["id"]}/secret"))["headerValue"]!.GetValue<string>();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add((await Admin.SendAsync(integration, Site, new { i }, value)).StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.True(statuses.Count(s => s == HttpStatusCode.Accepted) is >= 4 and <= 5, string.Join(",", statuses));
        var limited = await Admin.AuditAsync($"?key={created["id"]}&action=webhook.auth_failed");
        Assert.Contains(limited, f => f!["reason"]!.GetValue<string>() == "RateLimited");
    }

    [Fact]
    public async Task Analysts_manage_their_sites_keys_but_not_shared_keys_or_other_sites_keys()
    {
        var mine = await Admin.CreateSiteAsync();
        var other = await Admin.CreateSiteAsync();
        var integration = await Admin.CreateIntegrationAsync();
        var onMine = await Admin.CreateKeyAsync(integration, mine);
        var onOther = await Admin.CreateKeyAsync(integration, other);
        var shared = await Admin.CreateKeyAsync(integration, shareTo: "AllInternalSites");
        var analyst = await Admin.CreateAnalystAsync(Factory, mine);

        await GatehouseClient.Json(await analyst.Http.PatchAsJsonAsync($"/api/keys/{onMine.Id}", new { enabled = false }), HttpStatusCode.OK);
        await GatehouseClient.Problem(await analyst.Http.PatchAsJsonAsync($"/api/keys/{shared.Id}", new { enabled = false }), HttpStatusCode.Forbidden);
        await GatehouseClient.Problem(await analyst.Http.PostAsJsonAsync($"/api/keys/{shared.Id}/regenerate", new { }), HttpStatusCode.Forbidden);
        await GatehouseClient.Problem(await analyst.Http.DeleteAsync($"/api/keys/{onOther.Id}"), HttpStatusCode.NotFound);
        var listed = (await analyst.GetAsync("/api/keys")).AsArray().Select(k => k!["id"]!.GetValue<int>()).ToList();
        Assert.Contains(onMine.Id, listed);
        Assert.Contains(shared.Id, listed);
        Assert.DoesNotContain(onOther.Id, listed);
        await GatehouseClient.Problem(await analyst.Http.GetAsync("/api/audit"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Keys_visible_to_all_are_listed_for_every_user()
    {
        var created = await Admin.PostAsync("/api/keys", new { name = Unique.Name("Everyone"), module = "UtilityCommand", command = "GetEvents", visibleToAll = true });
        var hidden = await Admin.PostAsync("/api/keys", new { name = Unique.Name("Hidden"), module = "UtilityCommand", command = "GetEvents" });
        var analyst = await Admin.CreateAnalystAsync(Factory);

        var listed = (await analyst.GetAsync("/api/keys")).AsArray().Select(k => k!["id"]!.GetValue<int>()).ToList();

        Assert.Contains(created["id"]!.GetValue<int>(), listed);
        Assert.DoesNotContain(hidden["id"]!.GetValue<int>(), listed);
        await GatehouseClient.Problem(await analyst.Http.GetAsync($"/api/keys/{created["id"]}/secret"), HttpStatusCode.Forbidden);
    }
}

public sealed class KeyManagementTestsOnSqlite(SqliteFixture fixture) : KeyManagementTests(fixture), IClassFixture<SqliteFixture>;

public sealed class KeyManagementTestsOnPostgres(PostgresFixture fixture) : KeyManagementTests(fixture), IClassFixture<PostgresFixture>;
