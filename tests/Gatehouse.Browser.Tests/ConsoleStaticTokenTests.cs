using Gatehouse.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Browser.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class ConsoleStaticTokenTests(ConsoleFixture console)
{
    [Fact]
    public async Task A_poller_key_made_from_the_static_token_preset_states_its_risk_and_keeps_its_allowed_sources()
    {
        var keyName = Unique.Name("Sentinel poller");
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await console.Admin.PutAsync("/api/settings/EnableEnhanceWebhookAuthentication", new { value = true });
        try
        {
            await page.GotoAsync("/console/keys/new?module=UtilityCommand");
            await page.GetByLabel("Name").FillAsync(keyName);
            await page.GetByLabel("Method").SelectOptionAsync("Jwt");
            await page.GetByLabel("Target command").SelectOptionAsync("GetIncidentsWithNewParameters");
            await Expect(page.Locator("#static-token-note")).ToBeHiddenAsync();
            await page.GetByLabel("Token", new() { Exact = true }).SelectOptionAsync("StaticToken");
            await Expect(page.Locator("#static-token-note")).ToContainTextAsync("never expires");
            await Expect(page.Locator("#custom-token")).ToBeHiddenAsync();
            await page.GetByLabel("Allowed source addresses", new() { Exact = false }).FillAsync("203.0.113.0/24\n2001:db8::/32");
            await page.ScreenshotAsync("new-key-static-token");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();

            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = keyName })).ToBeVisibleAsync();
            await Expect(page.Locator("#static-token-warning")).ToContainTextAsync("static token");
            await Expect(page.Locator("#allowedSources")).ToHaveValueAsync("203.0.113.0/24\n2001:db8::/32");
            var payload = await page.CopyAsync("Copy payload");
            Assert.Contains("\"Username\"", payload);
            Assert.Contains("\"Site\"", payload);
            Assert.DoesNotContain("Timestamp", payload);
            await page.ScreenshotAsync("key-dialog-static-token");
        }
        finally
        {
            await console.Admin.PutAsync("/api/settings/EnableEnhanceWebhookAuthentication", new { value = false });
        }
    }
}
