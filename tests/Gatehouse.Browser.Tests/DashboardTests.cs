using Gatehouse.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Browser.Tests;

/// <summary>The dashboard's charts and the ATT&amp;CK matrix, from real ingestions, down to the events behind a cell.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class DashboardTests(ConsoleFixture console)
{
    [Fact]
    public async Task The_dashboard_charts_a_sites_intake_failures_and_techniques_and_the_matrix_leads_to_the_events_behind_a_technique()
    {
        var site = await console.Admin.CreateSiteAsync();
        var integration = await console.Admin.CreateIntegrationAsync(new { mainJsonPath = "$.alerts[*]", fieldMappings = new[] { new { field = "Title", source = "$.name" } } });
        var key = await console.Admin.IntakeKeyAsync(integration, new { site, runMitreTtpSearch = true });
        await console.Admin.SendAndWaitAsync(integration, site, new { alerts = new object[]
        {
            new { name = "Encoded PowerShell", tags = new[] { "attack.t1059.001" } },
            new { name = "Another PowerShell", tags = new[] { "attack.t1059.001" } },
            new { name = "LSASS read", tags = new[] { "attack.t1003.001" } },
            "not an object",
        } }, key);
        await console.Admin.SendAndWaitAsync(integration, site, new { nothing = true }, key);

        var page = await console.NewPageAsync();
        var scriptErrors = new List<string>();
        page.PageError += (_, error) => scriptErrors.Add(error);
        page.Console += (_, message) => { if (message.Type == "error") { scriptErrors.Add(message.Text); } };
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Dashboard"); // the console opens on it
        await page.GetByLabel("Site", new() { Exact = true }).SelectOptionAsync(site);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();

        await Expect(page.Locator("#tile-received")).ToHaveTextAsync("2");
        await Expect(page.Locator("#tile-events")).ToHaveTextAsync("3");
        await Expect(page.Locator("#tile-backlog")).ToHaveTextAsync("0");
        await Expect(page.Locator(".chart-box canvas")).ToHaveCountAsync(4); // intake, backlog, failures, techniques
        await Expect(page.Locator("#failure-reasons")).ToContainTextAsync("Expected a JSON object but found a string; it was skipped");
        await Expect(page.Locator("#failure-reasons")).ToContainTextAsync("The main JSON path '…' selected nothing in the request body");
        await Expect(page.Locator("#top-techniques tbody tr").First).ToContainTextAsync("T1059.001 PowerShell");
        await page.GetByText("Numbers").First.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Intake per hour" }).Locator("tbody tr").Last).ToContainTextAsync("2");
        await page.GetByText("Numbers").First.ClickAsync();
        await page.ScreenshotAsync("dashboard-site", fullPage: true);
        Assert.Empty(await page.EvaluateAsync<string[]>(Layout.BrokenWords));

        await page.GetByRole(AriaRole.Link, new() { Name = "ATT&CK matrix of this range" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("ATT&CK");
        await Expect(page.Locator("#matrix-window")).ToContainTextAsync("3 events with techniques");
        var execution = page.Locator("[data-tactic=TA0002]");
        await Expect(execution.Locator("[data-technique=T1059] > a .count")).ToHaveTextAsync("2");
        await Expect(page.Locator("[data-tactic=TA0006] [data-technique=T1003]")).ToContainTextAsync("LSASS Memory");
        await page.ScreenshotAsync("attack-matrix-site");
        await execution.GetByRole(AriaRole.Link, new() { Name = "PowerShell T1059.001 2 events" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Events");
        await Expect(page.Locator("#events-count")).ToHaveTextAsync("2 events");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Events" })).ToContainTextAsync("Encoded PowerShell");
        Assert.True(scriptErrors.Count == 0, string.Join("\n", scriptErrors));
    }
}
