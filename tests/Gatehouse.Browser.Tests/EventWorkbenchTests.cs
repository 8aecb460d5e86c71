using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Browser.Tests;

/// <summary>The event workbench: bulk dismiss and link from the list, triage on the event page, a live list that keeps its filters.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class EventWorkbenchTests(ConsoleFixture console)
{
    [Fact]
    public async Task Selected_events_are_dismissed_at_once_with_a_reason_and_others_linked_to_an_incident()
    {
        var (site, integration, key) = await SourceAsync();
        var ids = await SendAsync(integration, site, key, "Port scan", "Port scan again", "Beacon");
        var incident = await console.Admin.PostAsync("/api/incidents", new { site, incidentType = "Intrusion", title = Unique.Name("Intrusion") });
        var number = incident["number"]!.GetValue<string>();
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync("/console/events?site=" + Uri.EscapeDataString(site));
        var bulk = page.GetByRole(AriaRole.Form, new() { Name = "Selected events" });

        await bulk.GetByRole(AriaRole.Button, new() { Name = "Dismiss selected" }).ClickAsync();
        await Expect(bulk.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Select one or more events first: tick the box at the start of each row.");

        await page.GetByLabel($"Select event {ids[0]}").CheckAsync();
        await page.GetByLabel($"Select event {ids[1]}").CheckAsync();
        await Expect(bulk.Locator("output")).ToHaveTextAsync("2 selected");
        await bulk.GetByLabel("Dismissal reason").FillAsync("scheduled vulnerability scan");
        await page.ScreenshotAsync("events-workbench");
        await bulk.GetByRole(AriaRole.Button, new() { Name = "Dismiss selected" }).ClickAsync();
        await page.ExpectStatusAsync("2 events dismissed.");
        foreach (var id in ids[..2])
        {
            Assert.Equal("Dismissed", (await console.Admin.GetAsync($"/api/events/{id}"))["status"]!.GetValue<string>());
        }
        await Expect(Row(page, ids[0]).Locator(".badge")).ToHaveTextAsync("Dismissed");
        Assert.Equal("New", (await console.Admin.GetAsync($"/api/events/{ids[2]}"))["status"]!.GetValue<string>());

        await page.GetByLabel("Select all events on this page").CheckAsync();
        await Expect(bulk.Locator("output")).ToHaveTextAsync("3 selected");
        await page.GetByLabel($"Select event {ids[0]}").UncheckAsync();
        await page.GetByLabel($"Select event {ids[1]}").UncheckAsync();
        await bulk.GetByLabel("Incident (IR Number or id)").FillAsync(number);
        await bulk.GetByRole(AriaRole.Button, new() { Name = "Link selected" }).ClickAsync();
        await page.ExpectStatusAsync($"1 event linked to {number}.");
        Assert.Contains(incident["id"]!.GetValue<long>(), (await console.Admin.GetAsync($"/api/events/{ids[2]}"))["incidentIds"]!.AsArray().Select(i => i!.GetValue<long>()));
    }

    [Fact]
    public async Task The_live_list_shows_new_events_and_keeps_its_search_and_the_ticked_rows()
    {
        var (site, integration, key) = await SourceAsync();
        var marker = "live-" + Guid.NewGuid().ToString("N")[..8];
        var first = await SendAsync(integration, site, key, $"{marker} first", "unrelated");
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync($"/console/events?site={Uri.EscapeDataString(site)}&q={marker}");
        var rows = page.GetByRole(AriaRole.Table, new() { Name = "Events" }).Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(1);
        await page.GetByLabel($"Select event {first[0]}").CheckAsync();
        await page.GetByLabel("Refresh every 10 s (filters and selection are kept)").CheckAsync();

        var second = await SendAsync(integration, site, key, $"{marker} second", "unrelated again");

        await Expect(rows).ToHaveCountAsync(2, new() { Timeout = 25_000 });
        await Expect(Row(page, second[0])).ToContainTextAsync($"{marker} second");
        await Expect(page.GetByLabel($"Select event {first[0]}")).ToBeCheckedAsync();
        await Expect(page.Locator("#selected-count")).ToHaveTextAsync("1 selected");
        await Expect(page.Locator("#events-count")).ToHaveTextAsync("2 events");
        await Expect(page.GetByLabel("Search")).ToHaveValueAsync(marker);
        await page.ReloadAsync();
        await Expect(page.GetByLabel("Refresh every 10 s (filters and selection are kept)")).ToBeCheckedAsync();
    }

    [Fact]
    public async Task An_event_is_dismissed_reopened_linked_and_unlinked_from_its_page_and_the_time_range_filters_the_list()
    {
        var (site, integration, key) = await SourceAsync();
        var id = (await SendAsync(integration, site, key, "Suspicious PowerShell"))[0];
        var incident = await console.Admin.PostAsync("/api/incidents", new { site, incidentType = "Malware", title = Unique.Name("Malware") });
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync($"/console/events/{id}");

        await page.GetByLabel("Dismissal reason").FillAsync("admin script");
        await page.GetByRole(AriaRole.Button, new() { Name = "Dismiss", Exact = true }).ClickAsync();
        await page.ExpectStatusAsync("Event dismissed.");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Dismissed");
        await Expect(page.Locator("#dismissal")).ToContainTextAsync("Dismissed: admin script.");

        await page.GetByRole(AriaRole.Button, new() { Name = "Reopen" }).ClickAsync();
        await page.ExpectStatusAsync("Event reopened.");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("New");

        await page.GetByLabel("Link to incident (IR Number or id)").FillAsync("20200101-999999");
        await page.GetByRole(AriaRole.Button, new() { Name = "Link", Exact = true }).ClickAsync();
        await Expect(page.Locator("#event-link-form [role=alert]")).ToContainTextAsync("There is no incident 20200101-999999");
        await page.GetByLabel("Link to incident (IR Number or id)").FillAsync(incident["number"]!.GetValue<string>());
        await page.GetByRole(AriaRole.Button, new() { Name = "Link", Exact = true }).ClickAsync();
        await page.ExpectStatusAsync("Event linked.");
        await Expect(page.Locator("#event-incidents")).ToContainTextAsync($"Incident {incident["id"]}");
        await page.ScreenshotAsync("event-triage");

        await page.GetByRole(AriaRole.Button, new() { Name = $"Unlink from incident {incident["id"]}" }).ClickAsync();
        await page.ExpectStatusAsync($"Event unlinked from incident {incident["id"]}.");
        Assert.Empty((await console.Admin.GetAsync($"/api/events/{id}"))["incidentIds"]!.AsArray());

        var tomorrow = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture);
        await page.GotoAsync($"/console/events?site={Uri.EscapeDataString(site)}&from={tomorrow}");
        await Expect(page.Locator("#events-count")).ToHaveTextAsync("0 events");
        await Expect(page.GetByLabel("From (UTC)")).ToHaveValueAsync(tomorrow);
        var yesterday = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture);
        await page.GotoAsync($"/console/events?site={Uri.EscapeDataString(site)}&from={yesterday}&to={tomorrow}");
        await Expect(page.Locator("#events-count")).ToHaveTextAsync("1 event");
    }

    [Fact]
    public async Task Page_2_of_a_console_list_showed_page_1_again_and_a_bad_time_showed_everything_unfiltered()
    {
        var (site, integration, key) = await SourceAsync();
        var ids = await SendAsync(integration, site, key, Enumerable.Range(1, 53).Select(i => $"Bulk {i}").ToArray());
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);

        await page.GotoAsync($"/console/events?site={Uri.EscapeDataString(site)}&page=2");
        var rows = page.GetByRole(AriaRole.Table, new() { Name = "Events" }).Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(Row(page, ids[0])).ToHaveCountAsync(1); // the oldest three are on page 2
        await Expect(page.GetByText("Page 2 of 2")).ToBeVisibleAsync();
        foreach (var list in new[] { "/console/incidents?page=2", "/console/ingestions?page=2", "/console/audit?page=2" })
        {
            await page.GotoAsync(list);
            await Expect(page.Locator("main")).Not.ToContainTextAsync("Page 1 of");
        }

        await page.GotoAsync($"/console/events?site={Uri.EscapeDataString(site)}&from=abc");
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "From (UTC)" })).ToHaveTextAsync("'From (UTC)' is not a date and time: use the date picker, or yyyy-mm-ddThh:mm such as 2026-12-03T09:30.");
        await Expect(rows).ToHaveCountAsync(0);
        await page.GotoAsync("/console/audit?to=10000-01-01");
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "To (UTC)" })).ToContainTextAsync("'To (UTC)' is not a date and time");
    }

    [Fact]
    public async Task Link_selected_linked_some_events_and_said_only_that_one_was_refused()
    {
        var (site, integration, key) = await SourceAsync();
        var (otherSite, otherIntegration, otherKey) = await SourceAsync();
        var mine = (await SendAsync(integration, site, key, "Here"))[0];
        var theirs = (await SendAsync(otherIntegration, otherSite, otherKey, "There"))[0];
        var incident = await console.Admin.PostAsync("/api/incidents", new { site, incidentType = "Intrusion", title = Unique.Name("Intrusion") });
        var number = incident["number"]!.GetValue<string>();
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync("/console/events");

        await page.GetByLabel($"Select event {mine}").CheckAsync();
        await page.GetByLabel($"Select event {theirs}").CheckAsync();
        await page.GetByLabel("Incident (IR Number or id)").FillAsync(number);
        await page.GetByRole(AriaRole.Button, new() { Name = "Link selected" }).ClickAsync();

        await page.ExpectStatusAsync($"1 event linked to {number}. Not linked: event {theirs}: There is no incident {number} on the event's site '{otherSite}'.");
        Assert.Single((await console.Admin.GetAsync($"/api/events/{mine}"))["incidentIds"]!.AsArray());
        Assert.Empty((await console.Admin.GetAsync($"/api/events/{theirs}"))["incidentIds"]!.AsArray());
    }

    private static ILocator Row(IPage page, long id) =>
        page.GetByRole(AriaRole.Table, new() { Name = "Events" }).Locator("tbody tr").Filter(new() { Has = page.GetByLabel($"Select event {id}") });

    private async Task<(string Site, string Integration, string Key)> SourceAsync()
    {
        var site = await console.Admin.CreateSiteAsync();
        var integration = await console.Admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.title" } } });
        return (site, integration, await console.Admin.IntakeKeyAsync(integration, new { site }));
    }

    private async Task<long[]> SendAsync(string integration, string site, string key, params string[] titles)
    {
        var result = await console.Admin.SendAndWaitAsync(integration, site, titles.Select(t => new JsonObject { ["title"] = t }).ToArray(), key);
        return result["events"]!.AsArray().Select(e => e!["id"]!.GetValue<long>()).ToArray();
    }
}
