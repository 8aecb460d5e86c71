using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Browser.Tests;

/// <summary>Replay in the console: the dry run's diff after a mapping change, then the job carried out and followed to its end.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ReplayConsoleTests(ConsoleFixture console)
{
    [Fact]
    public async Task After_a_mapping_change_the_dry_run_shows_the_diff_and_the_replay_job_updates_the_events()
    {
        var integration = await console.Admin.CreateIntegrationAsync(new { mainJsonPath = "$.items", fieldMappings = new[] { new { field = "Title", source = "$.t" } } });
        var key = await console.Admin.IntakeKeyAsync(integration);
        var sent = await console.Admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite, new JsonObject
        {
            ["items"] = new JsonArray(
                new JsonObject { ["t"] = "one", ["title"] = "Mimikatz credential dumping on the finance file server", ["host"] = "fs-finance-01.corp.example" },
                new JsonObject { ["t"] = "two", ["title"] = "PsExec lateral movement", ["host"] = "ws-02" }),
        }, key);
        var refid = sent["refid"]!.GetValue<string>();
        var eventId = sent["events"]![0]!["id"]!.GetValue<long>();
        await console.Admin.PutAsync($"/api/integrations/{Uri.EscapeDataString(integration)}", new
        {
            eventIntake = new { mainJsonPath = "$.items", fieldMappings = new[] { new { field = "Title", source = "$.title" }, new { field = "Hostname", source = "$.host" } } },
        });
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync("/console/ingestions");
        await page.GetByRole(AriaRole.Link, new() { Name = "Replay stored requests with the current definitions" }).ClickAsync();

        await page.GetByLabel("Integration").SelectOptionAsync(integration);
        await page.GetByRole(AriaRole.Button, new() { Name = "Dry run" }).ClickAsync();

        await Expect(page.Locator("#replay-summary")).ToContainTextAsync("1 would change");
        var changes = page.GetByRole(AriaRole.Table, new() { Name = $"Event changes of {refid}" });
        await Expect(changes.Locator("tbody tr")).ToHaveCountAsync(2);
        await Expect(changes).ToContainTextAsync("Title: \"one\" → \"Mimikatz credential dumping on the finance file server\"");
        await Expect(changes).ToContainTextAsync("Hostname: (none) → \"fs-finance-01.corp.example\"");
        Assert.Equal("one", (await console.Admin.GetAsync($"/api/events/{eventId}"))["fields"]!["Title"]!.GetValue<string>());
        foreach (var width in new[] { 1024, 1280 })
        {
            await page.SetViewportSizeAsync(width, 800);
            var broken = await page.EvaluateAsync<string[]>(Layout.BrokenWords);
            Assert.True(broken.Length == 0, $"the dry run at {width} px breaks words: {string.Join(", ", broken)}");
            Assert.Empty(await page.EvaluateAsync<string[]>(Layout.UnlabelledControls));
        }
        await page.ScreenshotAsync("replay-diff", fullPage: true);

        await page.GetByRole(AriaRole.Button, new() { Name = "Replay all 1 matching request" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Replay job");
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("Completed", new() { Timeout = 30_000 });
        await Expect(page.Locator("#job-counts")).ToContainTextAsync("1 of 1 request done: 1 changed");
        await page.ScreenshotAsync("replay-job");
        var replayed = await console.Admin.GetAsync($"/api/events/{eventId}");
        Assert.Equal("Mimikatz credential dumping on the finance file server", replayed["fields"]!["Title"]!.GetValue<string>());
        Assert.Equal(2, (await console.Admin.GetAsync($"/api/events?integration={Uri.EscapeDataString(integration)}"))["total"]!.GetValue<int>());

        await page.GetByRole(AriaRole.Link, new() { Name = "Back to replay" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Replay jobs" })).ToContainTextAsync("Completed");
    }
}
