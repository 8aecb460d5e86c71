using System.Text.RegularExpressions;
using Gatehouse.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Browser.Tests;

/// <summary>The admin API's life-cycle features as the console shows them: a forced password change, audit filters, event search.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleAdminTests(ConsoleFixture console)
{
    [Fact]
    public async Task A_user_whose_password_was_set_for_them_is_sent_to_change_it_and_nothing_else_opens_until_they_do()
    {
        var username = Unique.Name("forced").Replace(' ', '-');
        await console.Admin.PostAsync("/api/users", new
        {
            username, password = "set-by-the-admin-1", role = "Analyst", sites = new[] { "Security Operations" }, mustChangePassword = true,
        });
        var page = await console.NewPageAsync();
        await page.GotoAsync("/console/login");
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Password").FillAsync("set-by-the-admin-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/console/password"));
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Choose your own" })).ToBeVisibleAsync();
        await page.ScreenshotAsync("password-change");
        foreach (var elsewhere in new[] { "/console/events", "/console/incidents", "/console" })
        {
            await page.GotoAsync(elsewhere);
            await Expect(page).ToHaveURLAsync(new Regex("/console/password"));
        }

        await page.GetByLabel("Current password").FillAsync("set-by-the-admin-1");
        await page.GetByLabel(new Regex("^New password \\(")).FillAsync("chosen-by-the-user-2");
        await page.GetByLabel("New password again").FillAsync("chosen-by-the-user-2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/console/login"));

        await page.SignInAsync(username, "chosen-by-the-user-2");
        await page.GotoAsync("/console/events");
        await Expect(page).ToHaveURLAsync(new Regex("/console/events"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Events");
        var old = await console.Factory.CreateClient().PostAsync("/api/auth/token",
            System.Net.Http.Json.JsonContent.Create(new { username, password = "set-by-the-admin-1" }));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, old.StatusCode);
    }

    [Fact]
    public async Task The_event_search_box_finds_an_event_by_text_and_by_address()
    {
        var marker = "needle-" + Guid.NewGuid().ToString("N")[..8];
        var site = await console.Admin.CreateSiteAsync();
        var integration = await console.Admin.CreateIntegrationAsync(new
        {
            mainJsonPath = "$",
            fieldMappings = new[] { new { field = "Title", source = "$.title" }, new { field = "Source IP", source = "$.src" } },
        });
        var key = await console.Admin.IntakeKeyAsync(integration, new { site });
        await console.Admin.SendAndWaitAsync(integration, site, new object[] { new { title = $"Alert {marker}", src = "203.0.113.77" }, new { title = "Alert hay", src = "198.51.100.5" } }, key);
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync("/console/events?site=" + Uri.EscapeDataString(site));

        await page.GetByLabel("Search").FillAsync(marker.ToUpperInvariant());
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var rows = page.GetByRole(AriaRole.Table, new() { Name = "Events" }).Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToContainTextAsync(marker);
        await Expect(page.GetByLabel("Search")).ToHaveValueAsync(marker.ToUpperInvariant());
        await Expect(page.Locator("p.note")).ToHaveTextAsync("1 event"); // was "1 events"
        await page.ScreenshotAsync("events-search");
    }

    [Fact]
    public async Task The_audit_page_filters_by_resource_and_target_and_sorts_by_time_both_ways()
    {
        var first = await console.Admin.CreateSiteAsync();
        var second = await console.Admin.CreateSiteAsync();
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync("/console/audit");

        await page.GetByLabel("Resource").SelectOptionAsync("site");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var rows = page.GetByRole(AriaRole.Table, new() { Name = "Audit log" }).Locator("tbody tr");
        await Expect(rows.Filter(new() { HasText = second })).ToHaveCountAsync(1);
        var targets = (await rows.Locator("td:nth-child(4)").AllTextContentsAsync()).ToList();
        Assert.True(targets.IndexOf(second) < targets.IndexOf(first), "newest first: " + string.Join(", ", targets));

        await page.Locator("#sort-when").ClickAsync();
        await Expect(page.Locator("th[aria-sort]")).ToHaveAttributeAsync("aria-sort", "ascending");
        targets = (await rows.Locator("td:nth-child(4)").AllTextContentsAsync()).ToList();
        Assert.True(targets.IndexOf(first) < targets.IndexOf(second), "oldest first: " + string.Join(", ", targets));

        await page.GetByLabel("Target").FillAsync(first);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToContainTextAsync("site.created");
        await page.ScreenshotAsync("audit-filtered");
    }
}
