using Gatehouse.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Browser.Tests;

/// <summary>Changes that cut senders off ask first; mistakes are explained in plain words; values are named, not numbered.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleSafetyTests(ConsoleFixture console)
{
    private const string Enhanced = "EnableEnhanceWebhookAuthentication";

    [Fact]
    public async Task Turning_on_enhanced_authentication_asks_first_naming_the_api_key_senders_it_cuts_off_and_cancel_saves_nothing()
    {
        await console.Admin.CreateKeyAsync(await console.Admin.CreateIntegrationAsync());
        int apiKeySenders;
        await using (var scope = console.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Storage.GatehouseDb>();
            apiKeySenders = await db.WebhookKeys.CountAsync(k => k.Enabled && k.Method == Core.Auth.KeyMethod.ApiKey);
        }
        var senders = apiKeySenders == 1 ? "1 enabled API-key key" : $"{apiKeySenders} enabled API-key keys";
        var page = await console.NewPageAsync(acceptDialogs: false);
        var answer = false;
        var asked = new List<string>();
        page.Dialog += async (_, dialog) => { asked.Add(dialog.Message); await (answer ? dialog.AcceptAsync() : dialog.DismissAsync()); };
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        try
        {
            await page.GotoAsync("/console/settings");
            var setting = page.Locator($"#setting-{Enhanced}");
            await page.GetByLabel($"{Enhanced} value").SelectOptionAsync("True");
            await setting.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await page.ExpectStatusAsync("Nothing was saved.");
            Assert.Equal([$"Turn on {Enhanced}? {senders} will be refused from the next request on, and every sender must sign a token."], asked);
            Assert.False((await console.Admin.GetAsync($"/api/settings/{Enhanced}"))["value"]!.GetValue<bool>());

            answer = true;
            await setting.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await page.ExpectStatusAsync($"{Enhanced} saved.");
            Assert.True((await console.Admin.GetAsync($"/api/settings/{Enhanced}"))["value"]!.GetValue<bool>());

            asked.Clear();
            await page.GetByLabel($"{Enhanced} value").SelectOptionAsync("False");
            await setting.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await page.ExpectStatusAsync($"{Enhanced} saved.");
            Assert.Empty(asked); // turning it off cuts nobody off
        }
        finally
        {
            await console.Admin.PutAsync($"/api/settings/{Enhanced}", new { value = false });
            await console.EnhancedAuthenticationOffAsync();
        }
    }

    [Fact]
    public async Task Disabling_a_key_asks_first_and_cancel_keeps_it_working()
    {
        var (id, _, _) = await console.Admin.CreateKeyAsync(await console.Admin.CreateIntegrationAsync());
        var page = await console.NewPageAsync(acceptDialogs: false);
        var asked = new List<string>();
        page.Dialog += async (_, dialog) => { asked.Add(dialog.Message); await dialog.DismissAsync(); };
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync($"/console/keys/{id}");

        await page.GetByLabel("Enabled", new() { Exact = true }).UncheckAsync();
        await page.Locator("#key-form").GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();

        await page.ExpectStatusAsync("Nothing was saved.");
        Assert.Equal(["Disable this key? Its senders are refused from the next request on."], asked);
        Assert.True((await console.Admin.GetAsync($"/api/keys/{id}"))["enabled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Bad_sample_JSON_in_the_mapping_preview_was_shown_as_the_browsers_raw_parse_error()
    {
        var integration = await console.Admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.t" } } });
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync($"/console/integrations/{Uri.EscapeDataString(integration)}");

        await page.GetByLabel("Sample JSON").FillAsync("{ \"t\": \"x\"");
        await page.GetByRole(AriaRole.Button, new() { Name = "Test with sample JSON" }).ClickAsync();
        await Expect(page.Locator("#console-error")).ToHaveTextAsync("The sample is not complete JSON: it ends before a bracket, brace or quote is closed.");

        await page.GetByLabel("Sample JSON").FillAsync("{\n  \"t\": \"x\",\n}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Test with sample JSON" }).ClickAsync();
        await Expect(page.Locator("#console-error")).ToHaveTextAsync("The sample is not valid JSON: check line 3, column 1 (a missing comma, quote or bracket, or a trailing comma).");
        await Expect(page.Locator("#console-error")).Not.ToContainTextAsync("Unexpected");
    }

    [Fact]
    public async Task An_integration_key_for_an_integration_without_commands_showed_an_empty_target_command_list_with_no_hint()
    {
        var integration = await console.Admin.CreateIntegrationAsync(name: "AAA " + Unique.Name("No commands"));
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync("/console/keys/new?module=Integration");

        await page.GetByLabel("Integration", new() { Exact = true }).SelectOptionAsync(integration);

        await Expect(page.Locator("#command-empty")).ToBeVisibleAsync();
        await Expect(page.Locator("#command-empty")).ToHaveTextAsync("This integration has no commands yet: add one on its page under Integrations, then create the key.");
    }

    [Fact]
    public async Task The_ingestion_page_named_its_key_Key_1_and_counted_1_attempts()
    {
        var integration = await console.Admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.t" } } });
        var (id, value, view) = await console.Admin.CreateKeyAsync(integration);
        var refid = (await console.Admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite, new { t = "x" }, value))["refid"]!.GetValue<string>();
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync($"/console/ingestions/{refid}");

        var keyLink = page.GetByRole(AriaRole.Link, new() { Name = view["name"]!.GetValue<string>() });
        await Expect(keyLink).ToHaveAttributeAsync("href", $"/console/keys/{id}");
        await Expect(page.GetByText("(1 attempt)")).ToBeVisibleAsync();
    }
}
