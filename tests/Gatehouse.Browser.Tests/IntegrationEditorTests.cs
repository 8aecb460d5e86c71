using Gatehouse.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Browser.Tests;

/// <summary>An integration's per-site connections edited in the console, with the secret write-only.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class IntegrationEditorTests(ConsoleFixture console)
{
    [Fact]
    public async Task A_connection_is_added_with_a_write_only_secret_edited_without_retyping_it_refused_in_plain_words_and_deleted()
    {
        var site = await console.Admin.CreateSiteAsync();
        var integration = await console.Admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.name" } } });
        const string secret = "edr-token-never-shown-3f9a";
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync($"/console/integrations/{Uri.EscapeDataString(integration)}");

        await page.GetByRole(AriaRole.Button, new() { Name = "Add connection" }).ClickAsync();
        var dialog = page.Locator("dialog[open]");
        await dialog.GetByLabel("Site").SelectOptionAsync(site);
        await dialog.GetByLabel("Base URL").FillAsync("https://edr.example.com/api");
        await Expect(dialog.GetByLabel("Secret (token or password)")).ToBeHiddenAsync(); // None needs no secret
        await dialog.GetByLabel("Authentication").SelectOptionAsync("HeaderToken");
        await dialog.GetByLabel("Secret (token or password)").FillAsync(secret);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Add connection" }).ClickAsync();
        await Expect(dialog.Locator("[id$=header-name-error]")).ToContainTextAsync("required for HeaderToken");
        await Expect(dialog).ToBeVisibleAsync();
        await dialog.GetByLabel("Header name").FillAsync("X-Api-Key");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Add connection" }).ClickAsync();
        await page.ExpectStatusAsync("Connection added.");

        var row = page.GetByRole(AriaRole.Table, new() { Name = "Connections" }).Locator("tr", new() { HasText = site });
        await Expect(row).ToContainTextAsync("Stored, encrypted");
        Assert.DoesNotContain(secret, await page.ContentAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = $"Edit the connection for {site}" }).ClickAsync();
        await Expect(dialog.GetByLabel("Secret (token or password)")).ToHaveValueAsync("");
        await Expect(dialog.Locator("[id$=secret-note]")).ToContainTextAsync("Leave this empty to keep it");
        await dialog.GetByLabel("Base URL").FillAsync("https://edr2.example.com/api");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Save connection" }).ClickAsync();
        await page.ExpectStatusAsync("Connection saved.");
        var saved = (await console.Admin.GetAsync($"/api/integrations/{Uri.EscapeDataString(integration)}/connections")).AsArray().Single(c => c!["site"]!.GetValue<string>() == site)!;
        Assert.Equal("https://edr2.example.com/api", saved["baseUrl"]!.GetValue<string>());
        Assert.Equal("X-Api-Key", saved["headerName"]!.GetValue<string>());
        Assert.True(saved["hasSecret"]!.GetValue<bool>()); // kept, not retyped
        Assert.DoesNotContain(secret, saved.ToJsonString());
        await page.ScreenshotAsync("integration-connections", fullPage: true);
        Assert.Empty(await page.EvaluateAsync<string[]>(Layout.BrokenWords));

        await page.GetByRole(AriaRole.Button, new() { Name = $"Delete the connection for {site}" }).ClickAsync();
        await page.ExpectStatusAsync("Connection deleted.");
        Assert.DoesNotContain((await console.Admin.GetAsync($"/api/integrations/{Uri.EscapeDataString(integration)}/connections")).AsArray(), c => c!["site"]!.GetValue<string>() == site);
    }

    [Fact]
    public async Task Integration_commands_are_edited_as_JSON_next_to_the_mapping_and_a_bad_template_is_refused_with_nothing_saved()
    {
        var integration = await console.Admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.name" } } });
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync($"/console/integrations/{Uri.EscapeDataString(integration)}");
        var editor = page.Locator(".code-editor[data-code-for=integration-commands] .cm-content");
        async Task TypeAsync(string json)
        {
            await editor.ClickAsync();
            await page.Keyboard.PressAsync("Control+A");
            await page.Keyboard.PressAsync("Delete");
            await page.Keyboard.InsertTextAsync(json);
        }

        await TypeAsync("""[{"name": "Isolate Host", "parameters": [{"name": "Host", "type": "Text", "required": true}], "request": {"method": "POST", "path": "/hosts/{{Hostname}}/isolate"}}]""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save commands" }).ClickAsync();
        await Expect(page.Locator("#integration-commands-form [data-errors]")).ToContainTextAsync("{{Hostname}} names no declared parameter");
        Assert.Empty((await console.Admin.GetAsync($"/api/integrations/{Uri.EscapeDataString(integration)}"))["commands"]!.AsArray());

        await TypeAsync("""[{"name": "Isolate Host", "parameters": [{"name": "Host", "type": "Text", "required": true}], "request": {"method": "POST", "path": "/hosts/{{Host}}/isolate"}}]""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save commands" }).ClickAsync();
        await page.ExpectStatusAsync("Commands saved.");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Integration commands" })).ToContainTextAsync("POST /hosts/{{Host}}/isolate");
        var saved = await console.Admin.GetAsync($"/api/integrations/{Uri.EscapeDataString(integration)}");
        Assert.Equal("Isolate Host", saved["commands"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("$.name", saved["eventIntake"]!["fieldMappings"]![0]!["source"]!.GetValue<string>()); // the mapping was kept
    }

    [Fact]
    public async Task Integration_commands_are_built_in_forms_checked_live_kept_in_step_with_the_JSON_and_saved()
    {
        var integration = await console.Admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.name" } } });
        var page = await console.NewPageAsync();
        var scriptErrors = new List<string>();
        page.PageError += (_, error) => scriptErrors.Add(error);
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync($"/console/integrations/{Uri.EscapeDataString(integration)}");
        var forms = page.Locator("#integration-commands-builder");
        await Expect(forms.Locator("[data-check]")).ToHaveTextAsync("No commands yet.");

        await forms.GetByRole(AriaRole.Button, new() { Name = "Add command" }).ClickAsync();
        var command = forms.Locator("fieldset.task-card").First;
        await Expect(command.GetByLabel("Name", new() { Exact = true })).ToBeFocusedAsync();
        await Expect(command.Locator(".task-errors")).ToContainTextAsync("'name' is required");
        await command.GetByLabel("Name", new() { Exact = true }).FillAsync("Lookup IP");
        await command.GetByLabel("Path", new() { Exact = true }).FillAsync("/ip/{{Ip}}");
        await Expect(command.Locator(".task-errors")).ToContainTextAsync("{{Ip}} names no declared parameter");
        await Expect(forms.Locator("[data-check]")).ToHaveTextAsync("1 problem: saving would refuse this.");
        await command.GetByLabel("Parameters", new() { Exact = false }).FillAsync("""[{"name": "Ip", "type": "Text", "required": true}]""");
        await command.GetByLabel("Headers", new() { Exact = false }).FillAsync("no colon here");
        await Expect(page.Locator("#integration-commands-builder-command0-headers-error")).ToHaveTextAsync("Each line is Name: value.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save commands" }).ClickAsync();
        await Expect(forms.Locator("[data-check]")).ToHaveTextAsync("Nothing was saved: a field is not valid JSON yet (marked below).");
        Assert.Empty((await console.Admin.GetAsync($"/api/integrations/{Uri.EscapeDataString(integration)}"))["commands"]!.AsArray());
        await command.GetByLabel("Headers", new() { Exact = false }).FillAsync("Accept: application/json");
        await command.GetByLabel("Query", new() { Exact = false }).FillAsync("limit=10");
        await command.GetByLabel("Return data path", new() { Exact = false }).FillAsync("$.data");
        await command.GetByLabel("Method").SelectOptionAsync("POST");
        await Expect(forms.Locator("[data-check]")).ToHaveTextAsync("No problems found: 1 command, ready to save.");
        await Expect(page.Locator(".code-editor[data-code-for=integration-commands] .cm-content")).ToContainTextAsync("\"Accept\": \"application/json\"");
        await forms.ScreenshotAsync("integration-command-forms");
        Assert.Empty(await page.EvaluateAsync<string[]>(Layout.BrokenWords));

        await page.GetByRole(AriaRole.Button, new() { Name = "Save commands" }).ClickAsync();
        await page.ExpectStatusAsync("Commands saved.");
        var saved = (await console.Admin.GetAsync($"/api/integrations/{Uri.EscapeDataString(integration)}"))["commands"]![0]!;
        Assert.Equal("Lookup IP", saved["name"]!.GetValue<string>());
        Assert.Equal("POST", saved["request"]!["method"]!.GetValue<string>());
        Assert.Equal("application/json", saved["request"]!["headers"]!["Accept"]!.GetValue<string>());
        Assert.Equal("10", saved["request"]!["query"]!["limit"]!.GetValue<string>());
        Assert.Equal("$.data", saved["returnDataPath"]!.GetValue<string>());
        await Expect(forms.Locator("fieldset.task-card").First.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync("Lookup IP");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Integration commands" })).ToContainTextAsync("POST /ip/{{Ip}}");
        Assert.Empty(scriptErrors);
    }
}
