using System.Net;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;
using Gatehouse.Tests.Jwt;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Browser.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class ConsoleJwtTests(ConsoleFixture console)
{
    [Fact]
    public async Task Enhanced_authentication_turned_on_in_Web_Config_offers_JWT_keys_whose_copied_header_and_payload_sign_a_PyJWT_token()
    {
        JwtTestKit.RequirePyJwt();
        var integration = await console.Admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.title" } } });
        var keyName = Unique.Name("EDR token");
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync("/console/keys/new?module=DataIngestion");
        await Expect(page.GetByLabel("Method").Locator("option[value=Jwt]")).ToHaveCountAsync(0); // offered once enhanced authentication is on
        await Expect(page.GetByLabel("Method").Locator("option").First).ToHaveTextAsync("API key");

        try
        {
            await page.GetByRole(AriaRole.Link, new() { Name = "Application settings" }).ClickAsync();
            await page.GetByLabel("EnableEnhanceWebhookAuthentication value").SelectOptionAsync("True");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await page.ExpectStatusAsync("EnableEnhanceWebhookAuthentication saved.");
            await Expect(page.GetByLabel("EnableEnhanceWebhookAuthentication value")).ToHaveValueAsync("True");
            await page.ScreenshotAsync("settings-web-config");

            await page.GotoAsync("/console/configuration?tab=ingestion");
            await page.GetByRole(AriaRole.Link, new() { Name = "New key" }).ClickAsync();
            await page.GetByLabel("Name").FillAsync(keyName);
            await page.GetByLabel("Method").SelectOptionAsync("Jwt");
            await page.GetByLabel("Integration").SelectOptionAsync(integration);
            await page.GetByRole(AriaRole.Button, new() { Name = "Add field" }).ClickAsync();
            await page.GetByLabel("Payload field", new() { Exact = true }).Last.FillAsync("Timestamp");
            await page.GetByRole(AriaRole.Button, new() { Name = "Add field" }).ClickAsync();
            await page.GetByLabel("Payload field", new() { Exact = true }).Last.FillAsync("source");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();

            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = keyName })).ToBeVisibleAsync();
            await Expect(page.Locator("#unbound-warning")).ToHaveCountAsync(0);
            Assert.Equal("d3jwt", await page.CopyAsync("Copy header key"));
            var header = JsonNode.Parse(await page.CopyAsync("Copy header"))!.AsObject();
            var payload = JsonNode.Parse(await page.CopyAsync("Copy payload"))!.AsObject();
            Assert.Equal("HS256", header["alg"]!.GetValue<string>());
            Assert.Equal("JWT", header["typ"]!.GetValue<string>());
            Assert.Equal(["Timestamp", "source"], payload.Select(member => member.Key));
            await page.GetByRole(AriaRole.Button, new() { Name = "Hold to reveal" }).HoverAsync();
            await page.Mouse.DownAsync();
            await Expect(page.Locator("#secret-key")).ToHaveAttributeAsync("data-revealed", "true");
            var secret = (await page.Locator("#secret-key").TextContentAsync())!;
            await page.Mouse.UpAsync();
            await page.ScreenshotAsync("key-dialog-jwt");

            var copied = new JsonObject { ["jwtHeader"] = header, ["payloadFields"] = new JsonArray([.. payload.Select(m => (JsonNode)m.Key)]) };
            var (token, body) = JwtTestKit.PyJwtSend(copied, secret, new JsonObject { ["source"] = "edr-01", ["title"] = "Token made from the console's copy" });
            var url = await page.CopyAsync("Copy URL");
            using var sender = new HttpClient();
            var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Add("d3jwt", token);
            Assert.Equal(HttpStatusCode.Accepted, (await sender.SendAsync(request)).StatusCode);
            var tampered = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body.Replace("edr-01", "edr-02"), System.Text.Encoding.UTF8, "application/json") };
            tampered.Headers.Add("d3jwt", token);
            Assert.Equal(HttpStatusCode.Unauthorized, (await sender.SendAsync(tampered)).StatusCode);

            var unbound = await console.Admin.PostAsync("/api/keys", new JsonObject
            {
                ["name"] = Unique.Name("Unbound"), ["method"] = "Jwt", ["site"] = GatehouseClient.DefaultSite, ["integration"] = integration, ["intake"] = "Event",
                ["payloadFields"] = new JsonArray(),
            });
            await page.GotoAsync($"/console/keys/{unbound["id"]}");
            await Expect(page.Locator("#unbound-warning")).ToContainTextAsync("binds no payload field");
            var (apiKeyId, _, _) = await console.Admin.CreateKeyAsync(integration);
            await page.GotoAsync($"/console/keys/{apiKeyId}");
            await Expect(page.Locator("#enhanced-warning")).ToContainTextAsync("this API key is refused");
        }
        finally
        {
            // The other console tests send API keys, which enhanced authentication refuses.
            await console.Admin.PutAsync("/api/settings/EnableEnhanceWebhookAuthentication", new { value = false });
            await console.EnhancedAuthenticationOffAsync();
        }
    }
}
