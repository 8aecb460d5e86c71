using System.Net;
using System.Net.Http.Json;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Keys;

public abstract class AuditTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;
    private const string Site = GatehouseClient.DefaultSite;

    [Fact]
    public async Task Every_key_action_is_audited_with_its_actor()
    {
        var integration = await Admin.CreateIntegrationAsync();
        var (assignee, _) = await Admin.CreateUserAsync(fixture.Factory, "Analyst", Site);
        var key = await Admin.CreateKeyAsync(integration);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        await Admin.Http.PatchAsJsonAsync($"/api/keys/{key.Id}", new { name = Unique.Name("Renamed") });
        await Admin.Http.PatchAsJsonAsync($"/api/keys/{key.Id}", new { assignedUser = assignee });
        await Admin.Http.PatchAsJsonAsync($"/api/keys/{key.Id}", new { enabled = false });
        await Admin.Http.PatchAsJsonAsync($"/api/keys/{key.Id}", new { enabled = true });
        await Admin.PostAsync($"/api/keys/{key.Id}/regenerate", new { graceSeconds = 30 }, HttpStatusCode.OK);
        await Admin.Http.DeleteAsync($"/api/keys/{key.Id}");

        var rows = await Admin.AuditAsync($"?key={key.Id}&pageSize=100");
        var actions = rows.Select(r => r!["action"]!.GetValue<string>()).ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            "key.created", "key.revealed", "key.renamed", "key.assigned", "key.disabled", "key.enabled", "key.regenerated", "key.deleted",
        }, actions);
        Assert.All(rows, r => Assert.Equal("admin", r!["actor"]!.GetValue<string>()));
        Assert.Equal(30, rows.Single(r => r!["action"]!.GetValue<string>() == "key.regenerated")!["detail"]!["graceSeconds"]!.GetValue<int>());
        Assert.Equal(assignee, rows.Single(r => r!["action"]!.GetValue<string>() == "key.assigned")!["detail"]!["assignedUser"]!.GetValue<string>());
        Assert.DoesNotContain(key.Value, rows.ToJsonString());
        Assert.NotEmpty(await Admin.AuditAsync($"?key={key.Id}&actor=admin&action=key.deleted&from={Uri.EscapeDataString(before.ToString("O"))}"));
        Assert.Empty(await Admin.AuditAsync($"?key={key.Id}&to={Uri.EscapeDataString(before.ToString("O"))}"));
    }

    [Fact]
    public async Task Changing_a_setting_is_audited_with_the_old_and_new_value()
    {
        const string path = "/api/settings/EnableEnhanceWebhookAuthentication";
        await Admin.PutAsync(path, new { value = true });
        await Admin.PutAsync(path, new { value = false });

        var rows = await Admin.AuditAsync("?action=setting.changed&pageSize=2");

        Assert.Equal("EnableEnhanceWebhookAuthentication", rows[0]!["target"]!.GetValue<string>());
        Assert.Equal("true", rows[0]!["detail"]!["from"]!.GetValue<string>());
        Assert.Equal("false", rows[0]!["detail"]!["to"]!.GetValue<string>());
    }

    [Fact]
    public async Task Webhook_auth_failures_are_audited_with_the_precise_reason_and_the_key_when_known()
    {
        var integration = await Admin.CreateIntegrationAsync();
        var siteKey = await Admin.CreateKeyAsync(integration);
        var disabled = await Admin.CreateKeyAsync(integration, enabled: false);
        var utility = await Admin.PostAsync("/api/keys", new { name = Unique.Name("Utility"), module = "UtilityCommand", command = "GetEvents" });
        var utilityValue = (await Admin.GetAsync($"/api/keys/{utility["id"]}/secret"))["headerValue"]!.GetValue<string>();
        var otherSite = await Admin.CreateSiteAsync();

        await Admin.SendAsync(integration, otherSite, new { a = 1 }, siteKey.Value);
        await Admin.SendAsync(integration, Site, new { a = 1 }, disabled.Value);
        await Admin.SendAsync(integration, Site, new { a = 1 }, utilityValue);

        async Task<string> ReasonFor(object keyId) =>
            (await Admin.AuditAsync($"?key={keyId}&action=webhook.auth_failed")).Single()!["reason"]!.GetValue<string>();
        Assert.Equal("WrongSite", await ReasonFor(siteKey.Id));
        Assert.Equal("Disabled", await ReasonFor(disabled.Id));
        Assert.Equal("WrongModule", await ReasonFor(utility["id"]!));
    }

    [Fact]
    public async Task A_flood_of_failures_is_one_aggregated_row_with_a_count()
    {
        var integration = await Admin.CreateIntegrationAsync();
        var forged = "ghk_" + Guid.NewGuid().ToString("N");
        var before = (await Admin.AuditAsync("?action=webhook.auth_failed&pageSize=500"))
            .Where(r => r!["reason"]!.GetValue<string>() == "UnknownKey").Sum(r => r!["count"]!.GetValue<int>());

        for (var i = 0; i < 25; i++)
        {
            await GatehouseClient.Problem(await Admin.SendAsync(integration, Site, new { i }, forged), HttpStatusCode.Unauthorized);
        }

        var rows = (await Admin.AuditAsync("?action=webhook.auth_failed&pageSize=500")).Where(r => r!["reason"]!.GetValue<string>() == "UnknownKey").ToList();
        Assert.Equal(before + 25, rows.Sum(r => r!["count"]!.GetValue<int>()));
        Assert.True(rows.Count <= 3, $"{rows.Count} rows for one flood"); // one per minute; the flood may straddle a minute
        Assert.All(rows, r => Assert.Null(r!["keyId"]));
        Assert.DoesNotContain(forged, rows.Select(r => r!.ToJsonString()).Aggregate("", string.Concat));
    }
}

public sealed class AuditTestsOnSqlite(SqliteFixture fixture) : AuditTests(fixture), IClassFixture<SqliteFixture>;

public sealed class AuditTestsOnPostgres(PostgresFixture fixture) : AuditTests(fixture), IClassFixture<PostgresFixture>;
