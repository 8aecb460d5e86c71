using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Browser.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class ConsoleDialogTests(ConsoleFixture console)
{
    [Fact]
    public async Task Key_dialog_saves_name_assignee_visibility_and_intake_options_and_Escape_closes_it()
    {
        var integration = await console.Admin.CreateIntegrationAsync();
        var (keyId, _, _) = await console.Admin.CreateKeyAsync(integration);
        var (analyst, _) = await console.Admin.CreateUserAsync(console.Factory, "Analyst", GatehouseClient.DefaultSite);
        var eventPlaybook = await PlaybookAsync("Event");
        var incidentPlaybook = await PlaybookAsync("Incident");
        var formatter = await FormatterAsync();
        var renamed = Unique.Name("Renamed key");
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync($"/console/keys/{keyId}");

        await Expect(page.GetByLabel("Event Playbook").Locator("option", new() { HasText = incidentPlaybook })).ToHaveCountAsync(0);
        await page.GetByLabel("Name").FillAsync(renamed);
        await page.GetByLabel("Assigned user").SelectOptionAsync(analyst);
        await page.GetByLabel("Visible to all users").CheckAsync();
        await page.GetByLabel("Data Formatter").SelectOptionAsync(formatter);
        await page.GetByLabel("Event Playbook").SelectOptionAsync(eventPlaybook);
        await page.GetByLabel("Run Event Automation Rules").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();

        await page.ExpectStatusAsync("Key saved.");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = renamed })).ToBeVisibleAsync();
        var saved = await console.Admin.GetAsync($"/api/keys/{keyId}");
        Assert.Equal(renamed, saved["name"]!.GetValue<string>());
        Assert.Equal(analyst, saved["assignedUser"]!.GetValue<string>());
        Assert.True(saved["visibleToAll"]!.GetValue<bool>());
        Assert.Equal(formatter, saved["dataFormatter"]!.GetValue<string>());
        Assert.Equal(eventPlaybook, saved["eventPlaybook"]!.GetValue<string>());
        Assert.True(saved["runEventAutomationRules"]!.GetValue<bool>());

        await page.Keyboard.PressAsync("Escape");
        await Expect(page).ToHaveURLAsync($"{console.BaseUrl}/console/configuration?tab=ingestion");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = renamed })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Incident_intake_in_the_new_key_form_disables_event_automation_rules_with_a_note_and_offers_incident_playbooks()
    {
        var eventPlaybook = await PlaybookAsync("Event");
        var incidentPlaybook = await PlaybookAsync("Incident");
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync("/console/keys/new?module=DataIngestion");
        var rules = page.GetByLabel("Run Event Automation Rules");
        var note = page.GetByText("Event automation rules do not apply to incident intake.");
        var playbooks = page.GetByLabel("Event Playbook");

        await Expect(rules).ToBeEnabledAsync();
        await Expect(note).ToBeHiddenAsync();
        await playbooks.SelectOptionAsync(eventPlaybook);

        await page.GetByLabel("Target").SelectOptionAsync("Incident");

        await Expect(rules).ToBeDisabledAsync();
        await Expect(note).ToBeVisibleAsync();
        await Expect(playbooks).ToHaveValueAsync("");
        await playbooks.SelectOptionAsync(incidentPlaybook);
        await Expect(playbooks.Locator($"option[value='{eventPlaybook}']")).ToBeDisabledAsync();

        await page.GetByLabel("Target").SelectOptionAsync("Event");
        await Expect(rules).ToBeEnabledAsync();
        await Expect(note).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Keyboard_alone_signs_in_and_holding_Space_reveals_an_owned_key()
    {
        var integration = await console.Admin.CreateIntegrationAsync();
        var (keyId, value, _) = await console.Admin.CreateKeyAsync(integration);
        var page = await console.NewPageAsync();

        await page.GotoAsync("/console/login");
        await page.Keyboard.TypeAsync("admin");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(GatehouseFactory.AdminPassword);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#signed-in-user")).ToHaveTextAsync("admin");

        await page.GotoAsync($"/console/keys/{keyId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Hold to reveal" }).FocusAsync();
        await page.Keyboard.DownAsync("Space");
        await Expect(page.Locator("#header-value")).ToHaveTextAsync(value);
        await page.Keyboard.UpAsync("Space");
        await Expect(page.Locator("#header-value")).ToHaveTextAsync("••••••••••••••••");
    }

    private async Task<string> PlaybookAsync(string kind)
    {
        var name = Unique.Name($"{kind} playbook");
        var subject = kind == "Event" ? "event" : "incident";
        await console.Admin.PostAsync("/api/playbooks", new JsonObject
        {
            ["name"] = name,
            ["kind"] = kind,
            ["tasks"] = new JsonArray(new JsonObject
            {
                ["id"] = "artifacts",
                ["command"] = "ExtractArtifacts",
                ["params"] = new JsonObject { ["Text"] = $"{{{{ $.{subject}.Title }}}}" },
            }),
        });
        return name;
    }

    private async Task<string> FormatterAsync()
    {
        var name = Unique.Name("Formatter");
        await console.Admin.PostAsync("/api/commands", new JsonObject
        {
            ["name"] = name,
            ["features"] = new JsonArray("DataFormatter"),
            ["script"] = "function format(event, context) { return event; }",
        });
        return name;
    }
}
