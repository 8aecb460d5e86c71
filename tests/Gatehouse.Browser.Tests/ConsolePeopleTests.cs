using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Gatehouse.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Browser.Tests;

/// <summary>People management in the console: users (role, sites, enabled, password reset, delete) and sites (rename, delete).</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsolePeopleTests(ConsoleFixture console)
{
    [Fact]
    public async Task An_administrator_changes_a_users_sites_disables_them_after_confirming_resets_their_password_and_deletes_them()
    {
        var site = await console.Admin.CreateSiteAsync();
        var (username, _) = await console.Admin.CreateUserAsync(console.Factory, "Analyst", GatehouseClient.DefaultSite);
        var id = await UserIdAsync(username);
        var page = await console.NewPageAsync(acceptDialogs: false);
        var confirmations = new List<string>();
        page.Dialog += async (_, dialog) => { confirmations.Add(dialog.Message); await dialog.AcceptAsync(); };
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync("/console/people");

        await page.GetByRole(AriaRole.Button, new() { Name = $"Edit user {username}" }).ClickAsync();
        var edit = page.GetByRole(AriaRole.Dialog, new() { Name = $"Edit user {username}" });
        await edit.GetByLabel("Sites (analysts see only these)").SelectOptionAsync([GatehouseClient.DefaultSite, site]);
        await edit.ScreenshotAsync("people-edit-user");
        await edit.GetByRole(AriaRole.Button, new() { Name = "Save user" }).ClickAsync();
        await page.ExpectStatusAsync("User saved.");
        Assert.Empty(confirmations); // nothing was cut off
        var user = await console.Admin.GetAsync($"/api/users/{id}");
        Assert.Equal([GatehouseClient.DefaultSite, site], user["sites"]!.AsArray().Select(s => s!.GetValue<string>()).Order());
        await Expect(Row(page, username)).ToContainTextAsync(site);

        await page.GetByRole(AriaRole.Button, new() { Name = $"Edit user {username}" }).ClickAsync();
        await edit.GetByLabel("Enabled (may sign in and use tokens)").UncheckAsync();
        await edit.GetByRole(AriaRole.Button, new() { Name = "Save user" }).ClickAsync();
        await page.ExpectStatusAsync("User saved.");
        Assert.Equal([$"Disable {username}? Their console sessions and tokens end at once."], confirmations);
        Assert.False((await console.Admin.GetAsync($"/api/users/{id}"))["enabled"]!.GetValue<bool>());
        var refused = await console.Factory.CreateClient().PostAsJsonAsync("/api/auth/token", new { username, password = "user-password-for-tests" });
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        await page.GetByRole(AriaRole.Button, new() { Name = $"Edit user {username}" }).ClickAsync();
        var reset = edit.GetByRole(AriaRole.Form, new() { Name = "Reset the password" });
        await reset.GetByLabel("New password", new() { Exact = true }).FillAsync("a-new-password-42");
        await reset.GetByLabel("New password again").FillAsync("a-new-password-43");
        await reset.GetByRole(AriaRole.Button, new() { Name = "Set password" }).ClickAsync();
        await Expect(reset.Locator(".field-error").First).ToContainTextAsync("its confirmation differ");
        await reset.GetByLabel("New password again").FillAsync("a-new-password-42");
        await reset.GetByRole(AriaRole.Button, new() { Name = "Set password" }).ClickAsync();
        await page.ExpectStatusAsync($"Password set: {username}'s sessions were ended.");
        Assert.True((await console.Admin.GetAsync($"/api/users/{id}"))["mustChangePassword"]!.GetValue<bool>());
        await Expect(Row(page, username)).ToContainTextAsync("must change password");

        await page.GetByRole(AriaRole.Button, new() { Name = $"Delete user {username}" }).ClickAsync();
        await page.ExpectStatusAsync("User deleted.");
        Assert.Contains($"Delete the user '{username}'? A user who holds keys cannot be deleted: disable them instead.", confirmations);
        await Expect(Row(page, username)).ToHaveCountAsync(0);
        await console.Admin.GetAsync($"/api/users/{id}", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_refused_change_is_shown_in_its_dialog_which_stays_open_and_nothing_is_saved()
    {
        var doomed = await console.Admin.CreateSiteAsync();
        var (username, _) = await console.Admin.CreateUserAsync(console.Factory, "Analyst", GatehouseClient.DefaultSite);
        var id = await UserIdAsync(username);
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync("/console/people");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Edit user {username}" }).ClickAsync();
        var edit = page.GetByRole(AriaRole.Dialog, new() { Name = $"Edit user {username}" });
        await edit.GetByLabel("Sites (analysts see only these)").SelectOptionAsync([doomed]);
        var siteId = (await console.Admin.GetAsync("/api/sites")).AsArray().Single(s => s!["name"]!.GetValue<string>() == doomed)!["id"];
        (await console.Admin.Http.DeleteAsync($"/api/sites/{siteId}")).EnsureSuccessStatusCode(); // someone else deletes it meanwhile

        await edit.GetByRole(AriaRole.Button, new() { Name = "Save user" }).ClickAsync();

        await Expect(edit.Locator(".field-error, [role=alert]").Filter(new() { HasText = doomed }).First).ToBeVisibleAsync();
        await Expect(edit).ToBeVisibleAsync();
        var user = await console.Admin.GetAsync($"/api/users/{id}");
        Assert.Equal([GatehouseClient.DefaultSite], user["sites"]!.AsArray().Select(s => s!.GetValue<string>()));
    }

    [Fact]
    public async Task A_site_is_renamed_in_its_dialog_an_empty_site_is_deleted_and_a_site_in_use_is_refused_in_plain_words()
    {
        var empty = await console.Admin.CreateSiteAsync();
        var used = await console.Admin.CreateSiteAsync();
        await console.Admin.CreateKeyAsync(await console.Admin.CreateIntegrationAsync(), site: used);
        var renamed = Unique.Name("Renamed site");
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync("/console/people");

        await page.GetByRole(AriaRole.Button, new() { Name = $"Edit site {used}" }).ClickAsync();
        var edit = page.GetByRole(AriaRole.Dialog, new() { Name = $"Edit site {used}" });
        await edit.GetByLabel("Name").FillAsync(renamed);
        await edit.GetByRole(AriaRole.Button, new() { Name = "Save site" }).ClickAsync();
        await page.ExpectStatusAsync("Site saved.");
        await Expect(Row(page, renamed)).ToHaveCountAsync(1);
        await Expect(Row(page, used)).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Button, new() { Name = $"Delete site {renamed}" }).ClickAsync();
        await Expect(page.Locator("#console-error")).ToContainTextAsync("key");
        await Expect(Row(page, renamed)).ToHaveCountAsync(1);

        await page.GetByRole(AriaRole.Button, new() { Name = $"Delete site {empty}" }).ClickAsync();
        await page.ExpectStatusAsync("Site deleted.");
        await Expect(Row(page, empty)).ToHaveCountAsync(0);
        await page.ScreenshotAsync("people");
    }

    private static ILocator Row(IPage page, string name) =>
        page.Locator("tbody tr").Filter(new() { Has = page.Locator("td:first-child", new() { HasTextRegex = new Regex($"^\\s*{Regex.Escape(name)}(\\s|$)") }) });

    private async Task<int> UserIdAsync(string username) =>
        (await console.Admin.GetAsync("/api/users")).AsArray().Single(u => u!["username"]!.GetValue<string>() == username)!["id"]!.GetValue<int>();
}
