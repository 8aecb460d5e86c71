using System.Net;
using System.Net.Http.Json;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Admin;

/// <summary>Users after creation: role, sites, enabled, password reset, one's own password change — each audited.</summary>
public sealed class UserLifecycleTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    private GatehouseClient Admin => fixture.Admin;
    private const string Password = "user-password-for-tests";

    private async Task<(int Id, string Username, GatehouseClient Client)> AnalystAsync(params string[] sites)
    {
        var (username, client) = await Admin.CreateUserAsync(fixture.Factory, "Analyst", sites);
        var id = (await Admin.GetAsync("/api/users")).AsArray().Single(u => u!["username"]!.GetValue<string>() == username)!["id"]!.GetValue<int>();
        return (id, username, client);
    }

    [Fact]
    public async Task An_administrator_changes_a_users_role_sites_and_enabled_state_and_disabling_ends_their_sessions()
    {
        var site = await Admin.CreateSiteAsync();
        var (id, username, analyst) = await AnalystAsync(GatehouseClient.DefaultSite);
        Assert.Equal(HttpStatusCode.OK, (await analyst.Http.GetAsync("/api/auth/me")).StatusCode);

        var moved = await GatehouseClient.Json(await Admin.Http.PatchAsJsonAsync($"/api/users/{id}", new { sites = new[] { site } }), HttpStatusCode.OK);
        Assert.Equal([site], moved["sites"]!.AsArray().Select(s => s!.GetValue<string>()));
        await GatehouseClient.Json(await Admin.Http.PatchAsJsonAsync($"/api/users/{id}", new { enabled = false }), HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.Unauthorized, (await analyst.Http.GetAsync("/api/auth/me")).StatusCode);
        var audit = await Admin.AuditAsync("?action=user.updated");
        Assert.Contains(audit, a => a!["target"]?.GetValue<string>() == username && a["detail"]!.ToJsonString().Contains(site));
        Assert.Contains(await Admin.AuditAsync("?action=user.created"), a => a!["target"]?.GetValue<string>() == username);
    }

    [Fact]
    public async Task The_last_enabled_administrator_cannot_be_demoted_or_disabled()
    {
        var admins = (await Admin.GetAsync("/api/users")).AsArray().Where(u => u!["role"]!.GetValue<string>() == "Administrator" && u["enabled"]!.GetValue<bool>()).ToList();
        foreach (var other in admins.Where(u => u!["username"]!.GetValue<string>() != "admin"))
        {
            await GatehouseClient.Json(await Admin.Http.PatchAsJsonAsync($"/api/users/{other!["id"]}", new { enabled = false }), HttpStatusCode.OK);
        }
        var adminId = admins.Single(u => u!["username"]!.GetValue<string>() == "admin")!["id"]!.GetValue<int>();

        await GatehouseClient.Problem(await Admin.Http.PatchAsJsonAsync($"/api/users/{adminId}", new { role = "Analyst" }), HttpStatusCode.Conflict, "last_administrator");
        await GatehouseClient.Problem(await Admin.Http.PatchAsJsonAsync($"/api/users/{adminId}", new { enabled = false }), HttpStatusCode.Conflict, "last_administrator");
    }

    [Fact]
    public async Task A_password_reset_ends_the_users_sessions_and_only_the_new_password_signs_in()
    {
        var (id, username, analyst) = await AnalystAsync(GatehouseClient.DefaultSite);

        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync($"/api/users/{id}/password", new { password = "short" }), HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.NoContent, (await Admin.Http.PostAsJsonAsync($"/api/users/{id}/password", new { password = "a-new-password-42" })).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await analyst.Http.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Factory.CreateClient().PostAsJsonAsync("/api/auth/token", new { username, password = Password })).StatusCode);
        await GatehouseClient.LoginAsync(fixture.Factory.CreateClient(), username, "a-new-password-42");
        var audit = await Admin.AuditAsync("?action=user.password_reset");
        Assert.Contains(audit, a => a!["target"]?.GetValue<string>() == username);
        Assert.DoesNotContain("a-new-password-42", audit.ToJsonString());
    }

    [Fact]
    public async Task Anyone_changes_their_own_password_with_the_current_one()
    {
        var (_, username, analyst) = await AnalystAsync(GatehouseClient.DefaultSite);

        await GatehouseClient.Problem(await analyst.Http.PostAsJsonAsync("/api/auth/password", new { currentPassword = "wrong", newPassword = "my-own-new-password" }), HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.NoContent, (await analyst.Http.PostAsJsonAsync("/api/auth/password", new { currentPassword = Password, newPassword = "my-own-new-password" })).StatusCode);

        await GatehouseClient.LoginAsync(fixture.Factory.CreateClient(), username, "my-own-new-password");
        Assert.Contains(await Admin.AuditAsync("?action=user.password_change_refused"), a => a!["target"]?.GetValue<string>() == username);
        Assert.Contains(await Admin.AuditAsync("?action=user.password_changed"), a => a!["target"]?.GetValue<string>() == username);
    }

    // Regression (self-attack): a null site name was a 500.
    [Fact]
    public async Task An_empty_site_name_is_refused_on_create_and_on_edit()
    {
        var (id, _, _) = await AnalystAsync(GatehouseClient.DefaultSite);
        var edit = new StringContent("""{"sites":[null]}""", System.Text.Encoding.UTF8, "application/json");
        var create = new StringContent("""{"username":"nobody-site","password":"long-enough-1","role":"Analyst","sites":[" "]}""", System.Text.Encoding.UTF8, "application/json");

        await GatehouseClient.Problem(await Admin.Http.PatchAsync($"/api/users/{id}", edit), HttpStatusCode.BadRequest, "validation_failed");
        await GatehouseClient.Problem(await Admin.Http.PostAsync("/api/users", create), HttpStatusCode.BadRequest, "validation_failed");
    }
}
