using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Browser.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class ConsoleKeyTests(ConsoleFixture console)
{
    private static readonly object MappedEvents = new
    {
        mainJsonPath = "$",
        fieldMappings = new[] { new { field = "Title", source = "$.title" }, new { field = "Command Line", source = "$.cmd" } },
    };

    [Fact]
    public async Task Administrator_signs_in_and_a_wrong_password_is_refused()
    {
        var page = await console.NewPageAsync();

        await page.GotoAsync("/console/configuration");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/console/login"));
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync("not-the-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#console-error")).ToHaveTextAsync("The username or password is not correct.");
        await page.ScreenshotAsync("login");

        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(GatehouseFactory.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/console/configuration$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Configuration" })).ToBeVisibleAsync();
        var tabs = page.GetByRole(AriaRole.Navigation, new() { Name = "Modules" }).GetByRole(AriaRole.Link);
        await Expect(tabs).ToHaveTextAsync(["Data Ingestion", "Integrations", "Utility Command"]);
    }

    [Fact]
    public async Task Intake_key_made_in_the_Data_Ingestion_tab_takes_an_event_whose_techniques_the_console_shows()
    {
        var integration = await console.Admin.CreateIntegrationAsync(MappedEvents);
        var branch = await console.Admin.CreateSiteAsync("Internal", Unique.Name("Branch Office"));
        var keyName = Unique.Name("Kibana alerts");
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);

        await page.GetByRole(AriaRole.Link, new() { Name = "Configuration" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Data Ingestion" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "New key" }).ClickAsync();
        await page.GetByLabel("Name").FillAsync(keyName);
        await page.GetByLabel("Scope").SelectOptionAsync("AllInternalSites");
        await page.GetByLabel("Integration").SelectOptionAsync(integration);
        await page.GetByLabel("Target").SelectOptionAsync("Event");
        await page.GetByLabel("Run MITRE TTP Search").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = keyName })).ToBeVisibleAsync();
        await page.ExpectStatusAsync("Key created.");
        await page.GetByLabel("Select Site").SelectOptionAsync(branch);
        await Expect(page.Locator("#request-url")).ToHaveTextAsync($"{console.BaseUrl}/VSOC/api/Data/{Uri.EscapeDataString(integration)}/{Uri.EscapeDataString(branch)}/CreateEvents");
        await page.GetByLabel("Select Site").SelectOptionAsync(GatehouseClient.DefaultSite);
        await Expect(page.Locator("#request-url")).ToContainTextAsync("/Security%20Operations/CreateEvents");
        await page.ScreenshotAsync("key-dialog-api-key");

        var url = await page.CopyAsync("Copy URL");
        var headerKey = await page.CopyAsync("Copy header key");
        var headerValue = await page.CopyAsync("Copy header value");
        Assert.Equal("d3key", headerKey);
        Assert.True(headerValue.Length >= 43, $"an API key of at least 256 bits, got {headerValue.Length} characters");

        using var sender = new HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Post, url + "?wait=10")
        {
            Content = new StringContent("""{"title":"Encoded PowerShell (T1059.001)","cmd":"powershell.exe -enc SQBFAFgA"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(headerKey, headerValue);
        var response = await sender.SendAsync(request);
        var result = await GatehouseClient.Json(response, HttpStatusCode.OK);
        var eventId = result["events"]![0]!["id"]!.GetValue<long>();

        await page.GetByRole(AriaRole.Link, new() { Name = "Events" }).ClickAsync();
        await page.GetByLabel("Site").SelectOptionAsync(GatehouseClient.DefaultSite);
        await page.GetByLabel("Technique").FillAsync("T1059.001");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await page.ScreenshotAsync("events");
        await page.GetByRole(AriaRole.Link, new() { Name = eventId.ToString(System.Globalization.CultureInfo.InvariantCulture), Exact = true }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Event {eventId}" })).ToBeVisibleAsync();
        var technique = page.Locator("#techniques tbody tr").Filter(new() { HasText = "T1059.001" });
        await Expect(technique).ToContainTextAsync("PowerShell");
        await Expect(technique).ToContainTextAsync("Execution");
        await Expect(technique).ToContainTextAsync("Title = T1059.001");
        await Expect(page.Locator("#mapped-fields")).ToContainTextAsync("powershell.exe -enc SQBFAFgA");
        await Expect(page.Locator("#raw-json")).ToContainTextAsync("\"cmd\"");
        await page.ScreenshotAsync("event");
    }

    [Fact]
    public async Task Analyst_who_is_neither_creator_nor_assignee_cannot_reveal_the_secret_but_the_assignee_can()
    {
        var integration = await console.Admin.CreateIntegrationAsync();
        var (keyId, _, _) = await console.Admin.CreateKeyAsync(integration);
        var (analyst, _) = await console.Admin.CreateUserAsync(console.Factory, "Analyst", GatehouseClient.DefaultSite);
        var page = await console.NewPageAsync();
        await page.SignInAsync(analyst, "user-password-for-tests");

        await page.GotoAsync($"/console/keys/{keyId}");

        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Hold to reveal" })).ToBeDisabledAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy header value" })).ToBeDisabledAsync();
        await Expect(page.Locator("#reveal-note")).ToContainTextAsync("Only the key's creator (admin)");
        var status = await page.EvaluateAsync<int>($"async () => (await fetch('/api/keys/{keyId}/secret')).status");
        Assert.Equal(403, status);
        await Expect(page.Locator("#header-value")).ToHaveTextAsync("••••••••••••••••");

        await console.Admin.Http.PatchAsync($"/api/keys/{keyId}", JsonContent(new JsonObject { ["assignedUser"] = analyst }));
        await page.ReloadAsync();
        var reveal = page.GetByRole(AriaRole.Button, new() { Name = "Hold to reveal" });
        await Expect(reveal).ToBeEnabledAsync();
        await reveal.HoverAsync();
        await page.Mouse.DownAsync();
        await Expect(page.Locator("#header-value")).ToHaveAttributeAsync("data-revealed", "true");
        var shown = await page.Locator("#header-value").TextContentAsync();
        await page.Mouse.UpAsync();
        await Expect(page.Locator("#header-value")).Not.ToHaveAttributeAsync("data-revealed", "true");
        var secret = await console.Admin.GetAsync($"/api/keys/{keyId}/secret");
        Assert.Equal(secret["headerValue"]!.GetValue<string>(), shown);
        Assert.DoesNotContain(secret["headerValue"]!.GetValue<string>(), await page.Locator("#header-value").TextContentAsync());
    }

    [Fact]
    public async Task Regenerated_key_shows_a_new_value_and_the_old_one_is_refused()
    {
        var integration = await console.Admin.CreateIntegrationAsync();
        var (keyId, oldValue, _) = await console.Admin.CreateKeyAsync(integration);
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync($"/console/keys/{keyId}");
        Assert.Equal(oldValue, await page.CopyAsync("Copy header value"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Regenerate Key" }).ClickAsync();

        await page.ExpectStatusAsync("Key regenerated");
        await Expect(page.Locator("#regenerated-at")).ToBeVisibleAsync();
        var newValue = await page.CopyAsync("Copy header value");
        Assert.NotEqual(oldValue, newValue);
        var body = new { title = "after regeneration" };
        Assert.Equal(HttpStatusCode.Unauthorized, (await console.Admin.SendAsync(integration, GatehouseClient.DefaultSite, body, oldValue)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await console.Admin.SendAsync(integration, GatehouseClient.DefaultSite, body, newValue)).StatusCode);
    }

    internal static StringContent JsonContent(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");
}
