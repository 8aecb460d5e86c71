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

[Collection(ConsoleCollection.Name)]
public sealed class ConsoleLogSourceTests(ConsoleFixture console)
{
    // Regression: the console's mapping editor saved the intake without its declared log source, silently dropping it.
    [Fact]
    public async Task Saving_a_mapping_in_the_console_keeps_and_edits_the_declared_log_source_and_sigma_field_names()
    {
        var integration = await console.Admin.CreateIntegrationAsync(new { mainJsonPath = "$", logSource = new { product = "linux", category = "process_creation" } });
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync($"/console/integrations/{Uri.EscapeDataString(integration)}");

        await Expect(page.GetByLabel("Log source product")).ToHaveValueAsync("linux");
        await page.GetByLabel("Log source service").FillAsync("auditd");
        await page.GetByLabel("Sigma field names", new() { Exact = false }).FillAsync("""{"proc_cmd": "CommandLine"}""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save mapping" }).ClickAsync();
        await page.ExpectStatusAsync("Mapping saved.");

        var saved = (await console.Admin.GetAsync($"/api/integrations/{Uri.EscapeDataString(integration)}"))["eventIntake"]!;
        Assert.Equal(("linux", "auditd", "process_creation"),
            (saved["logSource"]!["product"]!.GetValue<string>(), saved["logSource"]!["service"]!.GetValue<string>(), saved["logSource"]!["category"]!.GetValue<string>()));
        Assert.Equal("CommandLine", saved["sigmaFields"]!["proc_cmd"]!.GetValue<string>());
    }
}
