using Gatehouse.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Browser.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class ConsoleExplainTests(ConsoleFixture console)
{
    [Fact]
    public async Task The_event_page_says_why_a_rule_did_not_fire_on_an_event_of_another_source()
    {
        var integration = await console.Admin.CreateIntegrationAsync(new { mainJsonPath = "$", logSource = new { product = "linux", category = "process_creation" } });
        var key = await console.Admin.IntakeKeyAsync(integration, new { runMitreTtpSearch = true });
        var result = await console.Admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite, new { CommandLine = "bash -c gatehouse-explain-marker" }, key);
        var id = result["events"]![0]!["id"]!.GetValue<long>();
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);

        await page.GotoAsync($"/console/events/{id}");
        await page.GetByLabel("Sigma rule id").FillAsync(ConsoleFixture.ExplainRuleId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Explain" }).ClickAsync();

        await Expect(page.Locator("#verdict")).ToContainTextAsync("the rule is for product 'windows', the event comes from 'linux'");
        await Expect(page.Locator("#explanation")).ToContainTextAsync("CommandLine");
        await page.ScreenshotAsync("event-explain");
        await page.GetByLabel("Sigma rule id").FillAsync("no-such-rule");
        await page.GetByRole(AriaRole.Button, new() { Name = "Explain" }).ClickAsync();
        await Expect(page.Locator("#explain-refusal")).ToContainTextAsync("No loaded Sigma rule has the id 'no-such-rule'");
    }
}
