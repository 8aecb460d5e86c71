using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Admin;

/// <summary>
/// Every configuration resource through create → update → delete, each step with its audit row: created with what
/// it is, updated with only what changed (before and after), deleted with what it was; a change that changes nothing
/// writes no row, and what still refers to a resource keeps it from being deleted, named in the refusal.
/// </summary>
public abstract class ResourceLifecycleTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;

    private async Task<JsonNode> OnlyAuditAsync(string action, string target)
    {
        var rows = (await Admin.AuditAsync($"?action={action}&target={Uri.EscapeDataString(target)}")).ToList();
        return Assert.Single(rows)!;
    }

    private static async Task<JsonNode> Ok(Task<HttpResponseMessage> response) => await GatehouseClient.Json(await response, HttpStatusCode.OK);

    private static async Task NoContent(Task<HttpResponseMessage> response)
    {
        var answer = await response;
        Assert.True(answer.StatusCode == HttpStatusCode.NoContent, await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_site_is_created_renamed_rekinded_and_deleted_when_empty_with_an_audit_row_for_each()
    {
        var name = Unique.Name("Site");
        var site = await Admin.PostAsync("/api/sites", new { name, kind = "Client" });
        var id = site["id"]!.GetValue<int>();
        Assert.Equal("Client", (await OnlyAuditAsync("site.created", name))["detail"]!["kind"]!.GetValue<string>());

        var renamed = Unique.Name("Renamed");
        var after = await Ok(Admin.Http.PatchAsJsonAsync($"/api/sites/{id}", new { name = renamed, kind = "Internal" }));
        Assert.Equal((renamed, "Internal"), (after["name"]!.GetValue<string>(), after["kind"]!.GetValue<string>()));
        var update = await OnlyAuditAsync("site.updated", renamed);
        Assert.Equal(name, update["detail"]!["from"]!["name"]!.GetValue<string>());
        Assert.Equal("Internal", update["detail"]!["to"]!["kind"]!.GetValue<string>());
        Assert.Null(update["detail"]!["from"]!["createdAt"]);

        await Ok(Admin.Http.PatchAsJsonAsync($"/api/sites/{id}", new { name = renamed }));
        Assert.Single(await Admin.AuditAsync($"?action=site.updated&target={Uri.EscapeDataString(renamed)}"));

        await NoContent(Admin.Http.DeleteAsync($"/api/sites/{id}"));
        await OnlyAuditAsync("site.deleted", renamed);
        await GatehouseClient.Problem(await Admin.Http.GetAsync($"/api/sites/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_site_with_keys_or_events_is_not_deleted_and_the_refusal_says_what_is_left()
    {
        var site = await Admin.CreateSiteAsync();
        var id = (await Admin.GetAsync("/api/sites")).AsArray().Single(s => s!["name"]!.GetValue<string>() == site)!["id"]!.GetValue<int>();
        var integration = await Admin.CreateIntegrationAsync();
        var (_, key, _) = await Admin.CreateKeyAsync(integration, site);
        await Admin.SendAndWaitAsync(integration, site, new { title = "kept" }, key);

        var refused = await GatehouseClient.Problem(await Admin.Http.DeleteAsync($"/api/sites/{id}"), HttpStatusCode.Conflict, "site_in_use");

        Assert.Contains("1 key", refused["Error"]!.GetValue<string>());
        Assert.Contains("1 event", refused["Error"]!.GetValue<string>());
        Assert.Empty(await Admin.AuditAsync($"?action=site.deleted&target={Uri.EscapeDataString(site)}"));
    }

    [Fact]
    public async Task Renaming_a_site_to_another_sites_name_is_a_conflict()
    {
        var taken = await Admin.CreateSiteAsync();
        var other = await Admin.PostAsync("/api/sites", new { name = Unique.Name("Site"), kind = "Internal" });

        await GatehouseClient.Problem(await Admin.Http.PatchAsJsonAsync($"/api/sites/{other["id"]}", new { name = taken.ToUpperInvariant() }), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_user_is_created_updated_and_deleted_but_not_while_they_hold_keys_and_never_oneself()
    {
        var (username, client) = await Admin.CreateUserAsync(fixture.Factory, "Administrator");
        var id = (await client.GetAsync("/api/auth/me"))["id"]!.GetValue<int>();
        Assert.Equal("Administrator", (await OnlyAuditAsync("user.created", username))["detail"]!["role"]!.GetValue<string>());
        var integration = await Admin.CreateIntegrationAsync();
        var (keyId, _, _) = await client.CreateKeyAsync(integration);

        await Ok(Admin.Http.PatchAsJsonAsync($"/api/users/{id}", new { role = "Analyst", sites = new[] { GatehouseClient.DefaultSite } }));
        var update = await OnlyAuditAsync("user.updated", username);
        Assert.Equal("Administrator", update["detail"]!["from"]!["role"]!.GetValue<string>());
        Assert.Equal("Analyst", update["detail"]!["to"]!["role"]!.GetValue<string>());

        var holds = await GatehouseClient.Problem(await Admin.Http.DeleteAsync($"/api/users/{id}"), HttpStatusCode.Conflict, "user_holds_keys");
        Assert.Contains("disable the user instead", holds["Error"]!.GetValue<string>());
        await NoContent(Admin.Http.DeleteAsync($"/api/keys/{keyId}"));
        await NoContent(Admin.Http.DeleteAsync($"/api/users/{id}"));

        await OnlyAuditAsync("user.deleted", username);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.Http.GetAsync("/api/auth/me")).StatusCode);
        var me = (await Admin.GetAsync("/api/auth/me"))["id"]!.GetValue<int>();
        await GatehouseClient.Problem(await Admin.Http.DeleteAsync($"/api/users/{me}"), HttpStatusCode.Conflict, "cannot_delete_self");
    }

    [Fact]
    public async Task An_integration_is_created_replaced_and_deleted_with_its_connections_unless_it_has_keys()
    {
        var name = Unique.Name("Integration");
        await Admin.PostAsync("/api/integrations", new { name, eventIntake = new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.title" } } } });
        await OnlyAuditAsync("integration.created", name);
        await Admin.PutAsync($"/api/integrations/{Uri.EscapeDataString(name)}/connections/{Uri.EscapeDataString(GatehouseClient.DefaultSite)}",
            new { baseUrl = "https://vendor.example.com/api", auth = "Bearer", secret = "connection-secret-value" });

        await Admin.PutAsync($"/api/integrations/{Uri.EscapeDataString(name)}", new { eventIntake = new { mainJsonPath = "$.alerts", fieldMappings = new[] { new { field = "Title", source = "$.name" } } } });
        var update = await OnlyAuditAsync("integration.updated", name);
        Assert.Equal("$", update["detail"]!["from"]!["eventIntake"]!["mainJsonPath"]!.GetValue<string>());
        Assert.Equal("$.alerts", update["detail"]!["to"]!["eventIntake"]!["mainJsonPath"]!.GetValue<string>());
        await GatehouseClient.Problem(await Admin.Http.PutAsJsonAsync($"/api/integrations/{Uri.EscapeDataString(name)}", new { name = "Other" }), HttpStatusCode.BadRequest);

        var (keyId, _, _) = await Admin.CreateKeyAsync(name);
        await GatehouseClient.Problem(await Admin.Http.DeleteAsync($"/api/integrations/{Uri.EscapeDataString(name)}"), HttpStatusCode.Conflict, "integration_in_use");
        await NoContent(Admin.Http.DeleteAsync($"/api/keys/{keyId}"));
        await NoContent(Admin.Http.DeleteAsync($"/api/integrations/{Uri.EscapeDataString(name)}"));

        var deleted = await OnlyAuditAsync("integration.deleted", name);
        Assert.Equal([GatehouseClient.DefaultSite], deleted["detail"]!["connectionsRemoved"]!.AsArray().Select(s => s!.GetValue<string>()));
        await GatehouseClient.Problem(await Admin.Http.GetAsync($"/api/integrations/{Uri.EscapeDataString(name)}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_connection_change_is_audited_without_its_secret_and_a_connection_can_be_deleted()
    {
        var integration = await Admin.CreateIntegrationAsync();
        var path = $"/api/integrations/{Uri.EscapeDataString(integration)}/connections/{Uri.EscapeDataString(GatehouseClient.DefaultSite)}";
        const string secret = "s3cret-never-in-the-audit-log";
        await Admin.PutAsync(path, new { baseUrl = "https://a.example.com", auth = "Bearer", secret });
        await Admin.PutAsync(path, new { baseUrl = "https://b.example.com", auth = "Bearer" });

        var target = $"{integration} / {GatehouseClient.DefaultSite}";
        var rows = await Admin.AuditAsync($"?action=connection.saved&target={Uri.EscapeDataString(target)}");
        Assert.Equal(2, rows.Count);
        Assert.Equal("https://b.example.com", rows[0]!["detail"]!["to"]!["baseUrl"]!.GetValue<string>());
        Assert.DoesNotContain(secret, rows.ToJsonString());

        await NoContent(Admin.Http.DeleteAsync(path));
        await OnlyAuditAsync("connection.deleted", target);
        Assert.Empty((await Admin.GetAsync($"/api/integrations/{Uri.EscapeDataString(integration)}/connections")).AsArray());
    }

    [Fact]
    public async Task A_custom_command_is_created_replaced_and_deleted_unless_a_key_or_playbook_uses_it()
    {
        var name = Unique.Name("Command");
        object Definition(string answer) => new { name, parameters = Array.Empty<object>(), script = $"function main(params, context) {{ return {{ returnData: '{answer}' }}; }}" };
        await Admin.PostAsync("/api/commands", Definition("one"));
        Assert.Equal(name, (await OnlyAuditAsync("command.created", name))["detail"]!["name"]!.GetValue<string>());

        await Admin.PutAsync($"/api/commands/{Uri.EscapeDataString(name)}", Definition("two"));
        var update = await OnlyAuditAsync("command.updated", name);
        Assert.NotNull(update["detail"]!["to"]!["scriptSha256"]);
        await Admin.PutAsync($"/api/commands/{Uri.EscapeDataString(name)}", Definition("two"));
        Assert.Single(await Admin.AuditAsync($"?action=command.updated&target={Uri.EscapeDataString(name)}"));

        var playbook = Unique.Name("Uses");
        await Admin.PostAsync("/api/playbooks", new { name = playbook, kind = "Event", tasks = new[] { new { id = "run", command = name, @params = new { } } } });
        var used = await GatehouseClient.Problem(await Admin.Http.DeleteAsync($"/api/commands/{Uri.EscapeDataString(name)}"), HttpStatusCode.Conflict, "command_in_use");
        Assert.Contains(playbook, used["Error"]!.GetValue<string>());
        await NoContent(Admin.Http.DeleteAsync($"/api/playbooks/{Uri.EscapeDataString(playbook)}"));
        await NoContent(Admin.Http.DeleteAsync($"/api/commands/{Uri.EscapeDataString(name)}"));

        await OnlyAuditAsync("command.deleted", name);
        await OnlyAuditAsync("playbook.deleted", playbook);
        await GatehouseClient.Problem(await Admin.Http.DeleteAsync("/api/commands/ExtractArtifacts"), HttpStatusCode.Conflict, "built_in_command");
    }

    [Fact]
    public async Task An_automation_rule_is_created_replaced_patched_reordered_and_deleted_with_audit_rows()
    {
        var site = await Admin.CreateSiteAsync();
        object Rule(string name, string value) => new
        {
            name, type = "Dismissal", site,
            condition = new { field = "Title", @operator = "equals", value },
            dismissal = new { reason = "noise" },
        };
        var first = Unique.Name("Rule");
        var second = Unique.Name("Rule");
        var a = (await Admin.PostAsync("/api/automation-rules", Rule(first, "a")))["id"]!.GetValue<int>();
        var b = (await Admin.PostAsync("/api/automation-rules", Rule(second, "b")))["id"]!.GetValue<int>();
        await OnlyAuditAsync("rule.created", first);

        var replaced = await Admin.PutAsync($"/api/automation-rules/{a}", Rule(first, "changed"));
        Assert.Equal("changed", replaced["condition"]!["value"]!.GetValue<string>());
        var update = await OnlyAuditAsync("rule.updated", first);
        Assert.Equal("a", update["detail"]!["from"]!["condition"]!["value"]!.GetValue<string>());

        var disabled = await Ok(Admin.Http.PatchAsJsonAsync($"/api/automation-rules/{b}", new { enabled = false }));
        Assert.False(disabled["enabled"]!.GetValue<bool>());
        var reordered = await Ok(Admin.Http.PostAsJsonAsync("/api/automation-rules/reorder", new { ids = new[] { b, a } }));
        var mine = reordered.AsArray().Where(r => r!["id"]!.GetValue<int>() is var id && (id == a || id == b)).Select(r => r!["id"]!.GetValue<int>()).ToList();
        Assert.Equal([b, a], mine);
        Assert.NotEmpty(await Admin.AuditAsync("?action=rule.reordered"));

        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/automation-rules/reorder", new { ids = new[] { a, a } }), HttpStatusCode.BadRequest);
        await GatehouseClient.Problem(await Admin.Http.PatchAsJsonAsync($"/api/automation-rules/{a}", new { order = -1 }), HttpStatusCode.BadRequest);
        await NoContent(Admin.Http.DeleteAsync($"/api/automation-rules/{a}"));
        await OnlyAuditAsync("rule.deleted", first);
        await GatehouseClient.Problem(await Admin.Http.GetAsync($"/api/automation-rules/{a}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_replaced_rule_decides_the_next_event()
    {
        var site = await Admin.CreateSiteAsync();
        var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.title" } } });
        var key = await Admin.IntakeKeyAsync(integration, new { site, runEventAutomationRules = true });
        var rule = new { name = Unique.Name("Rule"), type = "Dismissal", site, condition = new { field = "Title", @operator = "equals", value = "old" }, dismissal = new { reason = "noise" } };
        var id = (await Admin.PostAsync("/api/automation-rules", rule))["id"]!.GetValue<int>();

        await Admin.PutAsync($"/api/automation-rules/{id}", rule with { condition = new { field = "Title", @operator = "equals", value = "new" } });
        var result = await Admin.SendAndWaitAsync(integration, site, new[] { new { title = "old" }, new { title = "new" } }, key);

        var statuses = result["events"]!.AsArray().Select(e => e!["status"]!.GetValue<string>()).ToList();
        Assert.Equal(["New", "Dismissed"], statuses);
    }

    [Fact]
    public async Task A_playbook_is_created_versioned_and_retired_with_audit_rows_naming_the_keys_that_still_use_it()
    {
        var name = Unique.Name("Playbook");
        object Definition(string text) => new { name, kind = "Event", tasks = new[] { new { id = "x", command = "ExtractArtifacts", @params = new Dictionary<string, object> { ["Text"] = text } } } };
        await Admin.PostAsync("/api/playbooks", Definition("one"));
        await Admin.PutAsync($"/api/playbooks/{Uri.EscapeDataString(name)}", Definition("two"));
        var integration = await Admin.CreateIntegrationAsync();
        await Admin.IntakeKeyAsync(integration, new { eventPlaybook = name });

        await NoContent(Admin.Http.DeleteAsync($"/api/playbooks/{Uri.EscapeDataString(name)}"));

        await OnlyAuditAsync("playbook.created", name);
        var update = await OnlyAuditAsync("playbook.updated", name);
        Assert.Equal((1, 2), (update["detail"]!["from"]!["version"]!.GetValue<int>(), update["detail"]!["to"]!["version"]!.GetValue<int>()));
        Assert.Single((await OnlyAuditAsync("playbook.deleted", name))["detail"]!["stillNamedByKeys"]!.AsArray());
    }

    [Fact]
    public async Task A_key_update_is_audited_with_the_options_before_and_after_and_its_create_row_names_the_key()
    {
        var integration = await Admin.CreateIntegrationAsync();
        var (id, _, view) = await Admin.CreateKeyAsync(integration);
        var name = view["name"]!.GetValue<string>();
        var created = await OnlyAuditAsync("key.created", name);
        Assert.Equal(id, created["keyId"]!.GetValue<int>());

        await Ok(Admin.Http.PatchAsJsonAsync($"/api/keys/{id}", new { runMitreTtpSearch = true, rateLimitPerSecond = 5 }));

        var update = await OnlyAuditAsync("key.updated", name);
        Assert.False(update["detail"]!["from"]!["runMitreTtpSearch"]!.GetValue<bool>());
        Assert.Equal(5, update["detail"]!["to"]!["rateLimitPerSecond"]!.GetValue<int>());
        Assert.Null(update["detail"]!["to"]!["enabled"]);
    }

    [Fact]
    public async Task The_audit_log_filters_by_resource_and_target_and_sorts_oldest_first_on_request()
    {
        var first = await Admin.CreateSiteAsync();
        var second = await Admin.CreateSiteAsync();

        var sites = await Admin.AuditAsync("?resource=site&pageSize=200");
        Assert.All(sites, row => Assert.StartsWith("site.", row!["action"]!.GetValue<string>()));
        var oldestFirst = (await Admin.AuditAsync("?resource=site&order=asc&pageSize=200")).Select(r => r!["target"]?.GetValue<string>()).ToList();
        Assert.True(oldestFirst.IndexOf(first) < oldestFirst.IndexOf(second));
        Assert.Equal(second, Assert.Single(await Admin.AuditAsync($"?target={Uri.EscapeDataString(second)}"))!["target"]!.GetValue<string>());
        await GatehouseClient.Problem(await Admin.Http.GetAsync("/api/audit?order=sideways"), HttpStatusCode.BadRequest);
    }
}

public sealed class ResourceLifecycleTestsOnSqlite(SqliteFixture fixture) : ResourceLifecycleTests(fixture), IClassFixture<SqliteFixture>;

public sealed class ResourceLifecycleTestsOnPostgres(PostgresFixture fixture) : ResourceLifecycleTests(fixture), IClassFixture<PostgresFixture>;
