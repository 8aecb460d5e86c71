using System.Net;
using System.Text;
using Gatehouse.Tests.Infrastructure;
using Gatehouse.Tests.Interop;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Browser.Tests;

/// <summary>A signed key made in the console: its scheme configured in the form, what to set in the sender shown, and a signed delivery taken.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class SignedKeyConsoleTests(ConsoleFixture console)
{
    [Fact]
    public async Task An_HMAC_key_configured_as_Slack_signs_is_made_in_the_form_tells_what_to_set_in_the_sender_and_takes_a_signed_delivery()
    {
        var integration = await console.Admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.title" } } });
        var keyName = Unique.Name("Slack events");
        const string secret = "8f742231b10e8888abcd99yyyzzz85a5";
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync("/console/keys/new?module=DataIngestion");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(keyName);
        await page.GetByLabel("Method").SelectOptionAsync("Hmac");
        await Expect(page.Locator("#hmac-options")).ToBeVisibleAsync();
        await page.GetByLabel("Signing secret").FillAsync(secret);
        await page.GetByLabel("Signature header").FillAsync("X-Slack-Signature");
        await page.GetByLabel("Prefix before the signature").FillAsync("v0=");
        await page.GetByLabel("Signed text").FillAsync("v0:{timestamp}:{body}");
        await page.GetByLabel("Timestamp header").FillAsync("X-Slack-Request-Timestamp");
        await page.GetByLabel("Integration").SelectOptionAsync(integration);
        await page.GetByLabel("Target").SelectOptionAsync("Event");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = keyName })).ToBeVisibleAsync();
        var scheme = page.GetByLabel("Signature scheme");
        await Expect(scheme).ToContainTextAsync("X-Slack-Signature");
        await Expect(scheme).ToContainTextAsync("v0=<hex HMAC-SHA256>");
        await Expect(scheme).ToContainTextAsync("v0:{timestamp}:{body}");
        await Expect(scheme).ToContainTextAsync("X-Slack-Request-Timestamp (within 300 s)");
        await Expect(page.Locator("#request-header-key")).ToHaveTextAsync("X-Slack-Signature");
        await Expect(page.Locator("#enhanced-warning")).ToHaveCountAsync(0);
        Assert.Equal(secret, await page.CopyAsync("Copy secret"));
        await page.ScreenshotAsync("key-dialog-signed", fullPage: true);
        Assert.Empty(await page.EvaluateAsync<string[]>(Layout.BrokenWords));

        var url = await page.CopyAsync("Copy URL");
        const string body = """{"title": "Slack: a user was added to an admin channel"}""";
        var headers = NodeSenders.Sign("slack", [secret], body, "", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        using var sender = new HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Post, url + "?wait=10") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        var result = await GatehouseClient.Json(await sender.SendAsync(request), HttpStatusCode.OK);
        Assert.Single(result["events"]!.AsArray());
    }

    [Fact]
    public async Task A_token_in_the_URL_is_offered_with_its_warning_and_the_copied_value_authenticates_a_header_less_sender()
    {
        var integration = await console.Admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.title" } } });
        var keyName = Unique.Name("Header-less sender");
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync("/console/keys/new?module=DataIngestion");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(keyName);
        await page.GetByLabel("Method").SelectOptionAsync("QueryToken");
        await Expect(page.Locator("#query-token-note")).ToBeVisibleAsync();
        await page.GetByLabel("Integration").SelectOptionAsync(integration);
        await page.GetByLabel("Target").SelectOptionAsync("Event");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = keyName })).ToBeVisibleAsync();
        await Expect(page.Locator("#query-token-warning")).ToContainTextAsync("append ?token=");
        var url = await page.CopyAsync("Copy URL");
        var token = await page.CopyAsync("Copy token");
        Assert.StartsWith("ghq_", token);
        using var sender = new HttpClient();
        var response = await sender.PostAsync($"{url}?wait=10&token={Uri.EscapeDataString(token)}", new StringContent("""{"title": "no header at all"}""", Encoding.UTF8, "application/json"));
        Assert.Single((await GatehouseClient.Json(response, HttpStatusCode.OK))["events"]!.AsArray());
    }
}
