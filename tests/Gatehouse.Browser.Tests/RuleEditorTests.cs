using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Browser.Tests;

/// <summary>The automation-rule editor: a condition builder, the API's checks next to the fields, a test against a stored event, and the effect on a real one.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class RuleEditorTests(ConsoleFixture console)
{
    [Fact]
    public async Task A_rule_built_with_the_form_is_tested_against_an_event_saved_and_escalates_the_next_real_event()
    {
        var site = await console.Admin.CreateSiteAsync();
        var (integration, key) = await RuleKeyAsync(site);
        var sample = (await SendAsync(integration, site, key, new { title = "Web shell", sev = "high", ip = "203.0.113.7", detector = "EDR" }))[0]!["id"]!.GetValue<long>();
        var name = Unique.Name("Escalate web shells");
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync("/console/rules");
        var form = page.Locator("#rule-form");

        await form.GetByRole(AriaRole.Button, new() { Name = "Create rule" }).ClickAsync();
        await Expect(page.Locator("#rule-name-error")).ToContainTextAsync("required");
        await Expect(form.GetByLabel("Name", new() { Exact = true })).ToBeFocusedAsync();

        await form.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await form.GetByLabel("Applies to").SelectOptionAsync(site);
        var tests = form.GetByRole(AriaRole.Table, new() { Name = "Condition tests" });
        await tests.GetByLabel("Field").First.FillAsync("Severity");
        await tests.GetByLabel("Operator").First.SelectOptionAsync("equals");
        await tests.GetByLabel("Value").First.FillAsync("HIGH");
        await form.GetByRole(AriaRole.Button, new() { Name = "Add test" }).ClickAsync();
        await tests.GetByLabel("Field").Last.FillAsync("$.detector");
        await tests.GetByLabel("Operator").Last.SelectOptionAsync("exists");
        await form.GetByLabel("Incident type").FillAsync("Intrusion");
        await form.GetByLabel("Incident title").FillAsync("{{$.title}} from {{Source IP}}");

        await form.GetByLabel("Event id").FillAsync(sample.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await form.GetByRole(AriaRole.Button, new() { Name = "Test against this event" }).ClickAsync();
        await Expect(page.Locator("#rule-test-result")).ToHaveTextAsync($"Event {sample} matches: it would be escalated to a High Intrusion incident “Web shell from 203.0.113.7”.");
        await tests.GetByLabel("Value").First.FillAsync("low");
        await form.GetByRole(AriaRole.Button, new() { Name = "Test against this event" }).ClickAsync();
        await Expect(page.Locator("#rule-test-result")).ToHaveTextAsync($"Event {sample} does not match: the rule would do nothing.");
        await tests.GetByLabel("Field").Last.FillAsync("$.[broken");
        await form.GetByRole(AriaRole.Button, new() { Name = "Test against this event" }).ClickAsync();
        await Expect(form.GetByRole(AriaRole.Alert).First).ToContainTextAsync("condition.all[1].field");
        await tests.GetByLabel("Field").Last.FillAsync("$.detector");
        await tests.GetByLabel("Value").First.FillAsync("high");
        await page.ScreenshotAsync("rule-editor", fullPage: true);
        Assert.Empty(await page.EvaluateAsync<string[]>(Layout.BrokenWords));

        await form.GetByRole(AriaRole.Button, new() { Name = "Create rule" }).ClickAsync();
        await page.ExpectStatusAsync("Rule created.");
        var saved = (await console.Admin.GetAsync("/api/automation-rules")).AsArray().Single(r => r!["name"]!.GetValue<string>() == name)!;
        Assert.Equal(site, saved["site"]!.GetValue<string>());
        Assert.Equal("""{"all":[{"field":"Severity","operator":"equals","value":"high"},{"field":"$.detector","operator":"exists"}]}""", saved["condition"]!.ToJsonString());

        var result = await SendAsync(integration, site, key, new { title = "Second shell", sev = "high", ip = "198.51.100.9", detector = "EDR" }, new { title = "Noise", sev = "low", ip = "10.0.0.1" });
        Assert.Equal(["Escalated", "New"], result.Select(e => e!["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_rule_is_edited_in_the_form_disabled_and_moved_in_the_order()
    {
        var site = await console.Admin.CreateSiteAsync();
        var first = await CreateRuleAsync(site, 1);
        var second = await CreateRuleAsync(site, 2);
        var renamed = Unique.Name("Renamed rule");
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync("/console/rules");

        await page.GetByRole(AriaRole.Link, new() { Name = $"Edit rule {first["name"]}" }).ClickAsync();
        var form = page.Locator("#rule-form");
        await Expect(form.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync(first["name"]!.GetValue<string>());
        await Expect(form.GetByRole(AriaRole.Table, new() { Name = "Condition tests" }).GetByLabel("Value").First).ToHaveValueAsync("Low, Informational");
        await form.GetByLabel("Name", new() { Exact = true }).FillAsync(renamed);
        await form.GetByRole(AriaRole.Button, new() { Name = "Save rule" }).ClickAsync();
        await page.ExpectStatusAsync("Rule saved.");
        var edited = await console.Admin.GetAsync($"/api/automation-rules/{first["id"]}");
        Assert.Equal(renamed, edited["name"]!.GetValue<string>());
        Assert.Equal(first["condition"]!.ToJsonString(), edited["condition"]!.ToJsonString());

        await page.GetByRole(AriaRole.Button, new() { Name = $"Disable rule {renamed}" }).ClickAsync();
        await page.ExpectStatusAsync("Rule disabled.");
        Assert.False((await console.Admin.GetAsync($"/api/automation-rules/{first["id"]}"))["enabled"]!.GetValue<bool>());

        await page.GetByRole(AriaRole.Button, new() { Name = $"Move rule {renamed} down" }).ClickAsync();
        await page.ExpectStatusAsync("Rule moved down.");
        Assert.Empty(await page.EvaluateAsync<string[]>(Layout.BrokenWords));
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Automation rules" })).ToContainTextAsync("Severity in Low, Informational");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Automation rules" })).ToContainTextAsync("Dismiss: noise");
        var order = (await console.Admin.GetAsync("/api/automation-rules")).AsArray().Select(r => r!["id"]!.GetValue<int>()).ToList();
        Assert.True(order.IndexOf(second["id"]!.GetValue<int>()) < order.IndexOf(first["id"]!.GetValue<int>()));
    }

    private async Task<JsonNode> CreateRuleAsync(string site, int order) => await console.Admin.PostAsync("/api/automation-rules", new
    {
        name = Unique.Name("Rule"), order, type = "Dismissal", site,
        condition = new { field = "Severity", @operator = "in", value = new[] { "Low", "Informational" } },
        dismissal = new { reason = "noise" },
    });

    private async Task<(string Integration, string Key)> RuleKeyAsync(string site)
    {
        var integration = await console.Admin.CreateIntegrationAsync(new
        {
            mainJsonPath = "$",
            fieldMappings = new object[] { new { field = "Title", source = "$.title" }, new { field = "Severity", source = "$.sev" }, new { field = "Source IP", source = "$.ip" } },
        });
        return (integration, await console.Admin.IntakeKeyAsync(integration, new { site, runEventAutomationRules = true }));
    }

    private async Task<JsonArray> SendAsync(string integration, string site, string key, params object[] events) =>
        (await console.Admin.SendAndWaitAsync(integration, site, events, key))["events"]!.AsArray();
}
