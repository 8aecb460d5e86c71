using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Browser.Tests;

/// <summary>The incident page as a workbench: fields, edit, close and reopen, links, history.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class IncidentWorkbenchTests(ConsoleFixture console)
{


    [Fact]
    public async Task Edit_saves_only_the_changed_fields_shows_them_and_their_history_and_refusals_in_plain_words()
    {
        var incident = await CreateIncidentAsync("Phishing", new JsonObject
        {
            ["severity"] = "Medium",
            ["tags"] = new JsonArray("mail"),
            ["description"] = "A user reported a mail asking for their password.",
            ["dynamicFields"] = new JsonObject { ["Enrichment"] = new JsonObject { ["Verdict"] = "Suspicious", ["Score"] = 5 } },
        });
        var id = incident["id"]!.GetValue<long>();
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync($"/console/incidents/{id}");

        await Expect(Field(page, "IR Number")).ToHaveTextAsync(incident["number"]!.GetValue<string>());
        await Expect(Field(page, "Stage")).ToHaveTextAsync("Not set");
        await Expect(page.Locator("dl[data-section='Enrichment'] [data-field='Verdict'] dd")).ToHaveTextAsync("Suspicious");
        var edit = page.GetByRole(AriaRole.Button, new() { Name = "Edit", Exact = true });
        await edit.ClickAsync();
        var form = page.Locator("#edit-form");
        await Expect(edit).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(form.GetByLabel("Title")).ToBeFocusedAsync();
        await Expect(form.GetByLabel("Status").Locator("option")).ToHaveTextAsync(["Open", "In Progress"]);
        await form.GetByLabel("Severity").SelectOptionAsync("High");
        await form.GetByLabel("Stage").SelectOptionAsync("Triage");
        await form.GetByLabel("Priority").SelectOptionAsync("High");
        await form.GetByLabel("Tags").FillAsync("mail, credential theft");
        await form.GetByLabel("Due Date (UTC)").FillAsync("2026-12-24T09:30");
        var enrichment = form.GetByRole(AriaRole.Group, new() { Name = "Enrichment" });
        await enrichment.GetByLabel("Value of Verdict").FillAsync("Malicious");
        await enrichment.GetByRole(AriaRole.Button, new() { Name = "Remove" }).Last.ClickAsync();
        await enrichment.GetByRole(AriaRole.Button, new() { Name = "Add field to Enrichment" }).ClickAsync();
        await enrichment.GetByLabel("Field name").Last.FillAsync("Reported by");
        await enrichment.GetByLabel("Value", new() { Exact = true }).Last.FillAsync("the user");
        await form.GetByRole(AriaRole.Button, new() { Name = "Add section" }).ClickAsync();
        await form.GetByRole(AriaRole.Group, new() { Name = "New section" }).GetByLabel("Section name").FillAsync("Mail");
        var mail = form.GetByRole(AriaRole.Group, new() { Name = "Mail", Exact = true });
        await mail.GetByLabel("Field name").FillAsync("Sender");
        await mail.GetByLabel("Value", new() { Exact = true }).FillAsync("it-support@example.net");

        await page.ScreenshotAsync("incident-edit", fullPage: true);
        var request = await page.RunAndWaitForRequestAsync(
            () => form.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync(),
            r => r.Method == "PATCH" && r.Url.EndsWith($"/api/incidents/{id}", StringComparison.Ordinal));

        var sent = JsonNode.Parse(request.PostData!)!.AsObject();
        Assert.Equal(["severity", "stage", "priority", "dueDate", "tags", "dynamicFields"], sent.Select(p => p.Key));
        Assert.Equal("""["mail","credential theft"]""", sent["tags"]!.ToJsonString());
        Assert.Equal("""{"Enrichment":{"Score":null,"Verdict":"Malicious","Reported by":"the user"},"Mail":{"Sender":"it-support@example.net"}}""", sent["dynamicFields"]!.ToJsonString());
        await page.ExpectStatusAsync("Incident saved.");
        await Expect(edit).ToBeFocusedAsync();
        await Expect(Field(page, "Severity")).ToHaveTextAsync("High");
        await Expect(Field(page, "Stage")).ToHaveTextAsync("Triage");
        await Expect(Field(page, "Priority")).ToHaveTextAsync("High");
        await Expect(Field(page, "Tags")).ToHaveTextAsync("mail, credential theft");
        await Expect(Field(page, "Due Date")).ToHaveTextAsync("2026-12-24 09:30:00 UTC");
        await Expect(page.Locator("dl[data-section='Enrichment'] [data-field='Verdict'] dd")).ToHaveTextAsync("Malicious");
        await Expect(page.Locator("dl[data-section='Enrichment'] [data-field='Score']")).ToHaveCountAsync(0);
        await Expect(page.Locator("dl[data-section='Mail'] [data-field='Sender'] dd")).ToHaveTextAsync("it-support@example.net");
        var latest = page.Locator("#history tbody tr").First;
        await Expect(latest.Locator("td").Nth(1)).ToHaveTextAsync("admin");
        await Expect(latest.Locator("td").Nth(2)).ToHaveTextAsync("Edited");
        await Expect(latest).ToContainTextAsync("Stage: not set → Triage");
        await Expect(latest).ToContainTextAsync("Severity: Medium → High");
        await Expect(latest).ToContainTextAsync("Enrichment - Verdict: Suspicious → Malicious");
        await Expect(page.Locator("#history tbody tr").Last.Locator("td").Nth(2)).ToHaveTextAsync("Created");
        await page.ScreenshotAsync("incident-workbench", fullPage: true);

        // A refusal: the API's messages, with the form's labels, next to the form and under each field.
        await edit.ClickAsync();
        await form.GetByLabel("Title").FillAsync("");
        await form.GetByLabel("Timezone").FillAsync("Mars/Olympus Mons");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        var errors = page.Locator("#edit-errors");
        await Expect(errors).ToContainTextAsync("Title cannot be empty.");
        await Expect(errors).ToContainTextAsync("Timezone must be a time zone such as UTC or Europe/Paris.");
        Assert.DoesNotContain("'", await errors.TextContentAsync());
        await Expect(page.Locator("#edit-title-error")).ToHaveTextAsync("Title cannot be empty.");
        await Expect(form.GetByLabel("Title")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("#console-error")).ToBeEmptyAsync();
        await page.ScreenshotAsync("incident-edit-refused");
        await form.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(form).ToBeHiddenAsync();
        await Expect(Field(page, "Title")).ToHaveTextAsync(incident["title"]!.GetValue<string>());
        await edit.ClickAsync();
        await Expect(form.GetByLabel("Title")).ToHaveValueAsync(incident["title"]!.GetValue<string>());
        await Expect(errors).ToBeEmptyAsync();
        await form.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await page.ExpectStatusAsync("Nothing to save");

        var saved = await console.Admin.GetAsync($"/api/incidents/{id}");
        Assert.Equal(incident["title"]!.GetValue<string>(), saved["title"]!.GetValue<string>());
        Assert.Equal("Triage", saved["stage"]!.GetValue<string>());
        Assert.Null(saved["timezone"]);
    }

    [Fact]
    public async Task Close_asks_for_conclusion_and_disposition_in_a_dialog_and_Reopen_sets_the_first_open_status()
    {
        var incident = await CreateIncidentAsync("Malware");
        var id = incident["id"]!.GetValue<long>();
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync($"/console/incidents/{id}");

        await page.GetByRole(AriaRole.Button, new() { Name = "Close incident…" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = $"Close {incident["number"]}" });
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.GetByLabel("Conclusion")).ToBeFocusedAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Close incident", Exact = true }).ClickAsync();
        await Expect(dialog.Locator("#close-conclusion-error")).ToHaveTextAsync("Conclusion is required to close an incident: what the investigation concluded.");
        await Expect(dialog.Locator("#close-disposition-error")).ToContainTextAsync("Disposition is required to close an incident, one of: True Positive");
        await Expect(dialog.GetByLabel("Disposition")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(dialog.GetByLabel("Conclusion")).ToBeFocusedAsync();
        await dialog.GetByLabel("Conclusion").FillAsync("The binary is a signed updater: no malware.");
        await dialog.GetByLabel("Disposition").SelectOptionAsync("False Positive");
        await page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Close incident…" })).ToBeFocusedAsync();

        await page.Keyboard.PressAsync("Enter");
        await Expect(dialog.GetByLabel("Conclusion")).ToHaveValueAsync("");
        await Expect(dialog.Locator("#close-conclusion-error")).ToBeEmptyAsync();
        await page.Keyboard.TypeAsync("The binary is a signed updater: no malware.");
        await dialog.GetByLabel("Disposition").SelectOptionAsync("False Positive");
        await page.ScreenshotAsync("incident-close-dialog");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Close incident", Exact = true }).ClickAsync();

        await page.ExpectStatusAsync("Incident closed.");
        var reopen = page.GetByRole(AriaRole.Button, new() { Name = "Reopen" });
        await Expect(reopen).ToBeFocusedAsync();
        await Expect(page.Locator("#incident-status")).ToHaveTextAsync("Closed");
        await Expect(Field(page, "Conclusion")).ToHaveTextAsync("The binary is a signed updater: no malware.");
        await Expect(Field(page, "Disposition")).ToHaveTextAsync("False Positive");
        await Expect(Field(page, "Closed By")).ToHaveTextAsync("admin");
        await Expect(Field(page, "Date Closed")).ToContainTextAsync(" UTC");
        var latest = page.Locator("#history tbody tr").First;
        await Expect(latest.Locator("td").Nth(2)).ToHaveTextAsync("Closed");
        await Expect(latest).ToContainTextAsync("Status: Open → Closed");

        await reopen.ClickAsync();
        await page.ExpectStatusAsync("Incident reopened: its status is Open.");
        await Expect(page.Locator("#incident-status")).ToHaveTextAsync("Open");
        await Expect(Field(page, "Date Closed")).ToHaveTextAsync("Not set");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Close incident…" })).ToBeFocusedAsync();
        await Expect(latest.Locator("td").Nth(2)).ToHaveTextAsync("Reopened");
        await Expect(latest).ToContainTextAsync("Status: Closed → Open");
        var history = await console.Admin.GetAsync($"/api/incidents/{id}/history");
        Assert.Equal(["created", "closed", "edited"], history.AsArray().Select(h => h!["action"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Links_another_incident_and_an_event_by_number_and_id_and_unlinks_each_after_confirming()
    {
        var incident = await CreateIncidentAsync("Intrusion");
        var other = await CreateIncidentAsync("Beaconing");
        var eventId = await CreateEventAsync();
        var (id, otherNumber) = (incident["id"]!.GetValue<long>(), other["number"]!.GetValue<string>());
        var page = await console.NewPageAsync();
        var confirmations = new List<string>();
        page.Dialog += (_, dialog) => confirmations.Add(dialog.Message);
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync($"/console/incidents/{id}");
        var linkForm = page.Locator("#link-form");

        await linkForm.GetByLabel("Events to link").FillAsync("12, twelve");
        await linkForm.GetByRole(AriaRole.Button, new() { Name = "Link" }).ClickAsync();
        await Expect(page.Locator("#link-errors")).ToHaveTextAsync("Events are named by their id, a whole number such as 42: “twelve” is not.");
        await linkForm.GetByLabel("Incidents to link").FillAsync("20200101-999999");
        await linkForm.GetByLabel("Events to link").FillAsync("");
        await linkForm.GetByRole(AriaRole.Button, new() { Name = "Link" }).ClickAsync();
        await Expect(page.Locator("#link-errors")).ToHaveTextAsync("There is no incident 20200101-999999 on the site 'Security Operations'.");

        await linkForm.GetByLabel("Incidents to link").FillAsync(otherNumber);
        await linkForm.GetByLabel("Events to link").FillAsync(eventId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await linkForm.GetByRole(AriaRole.Button, new() { Name = "Link" }).ClickAsync();

        await page.ExpectStatusAsync("Linked.");
        await Expect(page.GetByLabel("Incidents to link")).ToBeFocusedAsync();
        var linkedIncident = page.Locator("#linked-incidents tbody tr");
        await Expect(linkedIncident).ToHaveCountAsync(1);
        await Expect(linkedIncident).ToContainTextAsync(otherNumber);
        await Expect(linkedIncident).ToContainTextAsync(other["title"]!.GetValue<string>());
        await Expect(page.Locator("#linked-events tbody tr")).ToContainTextAsync($"Event {eventId}");
        await Expect(page.Locator("#linked-events tbody tr")).ToContainTextAsync("Beacon to rare domain");
        await Expect(Field(page, "Linked Incidents")).ToHaveTextAsync(otherNumber);
        await Expect(page.Locator("#history tbody tr").First).ToContainTextAsync($"Incidents: {otherNumber}");
        await Expect(page.Locator("#history tbody tr").First).ToContainTextAsync($"Events: {eventId}");
        await page.Locator("section", new() { Has = page.Locator("#links-heading") }).ScreenshotAsync("incident-links");

        await page.GetByRole(AriaRole.Button, new() { Name = $"Unlink incident {otherNumber}" }).ClickAsync();
        await page.ExpectStatusAsync($"Incident {otherNumber} unlinked.");
        Assert.Contains($"Unlink incident {otherNumber} from {incident["number"]}?", confirmations.Last());
        await Expect(page.Locator("#no-linked-incidents")).ToBeVisibleAsync();
        await Expect(page.Locator("#history tbody tr").First.Locator("td").Nth(2)).ToHaveTextAsync("Unlinked");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Unlink event {eventId}" }).ClickAsync();
        await page.ExpectStatusAsync($"Event {eventId} unlinked.");
        await Expect(page.Locator("#no-linked-events")).ToBeVisibleAsync();

        var saved = await console.Admin.GetAsync($"/api/incidents/{id}");
        Assert.Empty(saved["linkedIncidents"]!.AsArray());
        Assert.Empty(saved["eventIds"]!.AsArray());
        Assert.Empty((await console.Admin.GetAsync($"/api/incidents/{other["id"]}"))["linkedIncidents"]!.AsArray());
    }

    [Theory]
    [InlineData(1024)]
    [InlineData(1280)]
    public async Task Incident_page_and_list_keep_words_whole_and_fit_the_width(int width)
    {
        var incident = await CreateIncidentAsync("Informational", new JsonObject
        {
            ["title"] = "Unusual sign-in to the administration portal from an unfamiliar location",
            ["severity"] = "Informational",
            ["stage"] = "Lessons Learned",
            ["priority"] = "Critical",
            ["tags"] = new JsonArray("identity", "conditional access", "impossible travel"),
            ["timezone"] = "America/Argentina/Buenos_Aires",
            ["description"] = "Sign-in from two countries within ten minutes.",
            ["dynamicFields"] = new JsonObject { ["Identity Protection"] = new JsonObject { ["Risk Level"] = "Medium", ["Risk Detail"] = "Unfamiliar sign-in properties" } },
        });
        var other = await CreateIncidentAsync("Phishing");
        await console.Admin.Http.PostAsync($"/api/incidents/{incident["id"]}/links", System.Net.Http.Json.JsonContent.Create(new { incidents = new[] { other["number"]!.GetValue<string>() } }));
        var page = await console.NewPageAsync();
        await page.SetViewportSizeAsync(width, 800);
        var scriptErrors = new List<string>();
        page.PageError += (_, error) => scriptErrors.Add(error);
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);

        foreach (var path in new[] { $"/console/incidents/{incident["id"]}", "/console/incidents" })
        {
            await page.GotoAsync(path);
            await page.ScreenshotAsync($"{(path.EndsWith("incidents", StringComparison.Ordinal) ? "incidents" : "incident")}-{width}");
            Assert.Empty(await page.EvaluateAsync<string[]>(Layout.BrokenWords));
            var scrollWidth = await page.EvaluateAsync<int>("() => Math.max(document.documentElement.scrollWidth, ...[...document.querySelectorAll('main table')].map(t => t.getBoundingClientRect().right))");
            Assert.True(scrollWidth <= width, $"{path} is {scrollWidth} px wide at {width} px");
        }
        await Expect(page.Locator("#incidents thead th")).ToHaveTextAsync(["IR Number Site", "Created (UTC)", "Title", "Severity", "Status", "Stage", "Priority", "Owner", "Events"]);
        var row = page.Locator("#incidents tbody tr", new() { HasText = incident["number"]!.GetValue<string>() });
        await Expect(row.Locator("td").Nth(5)).ToHaveTextAsync("Lessons Learned");
        await Expect(row.Locator("td").Nth(6)).ToHaveTextAsync("Critical");
        await Expect(row.Locator("td").Nth(7)).ToHaveTextAsync("admin");
        await Expect(page.GetByLabel("Status").Locator("option")).ToHaveTextAsync(["Any", "Open", "In Progress", "Closed"]);

        await page.GotoAsync($"/console/incidents/{incident["id"]}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add section" }).ClickAsync();
        Assert.Empty(await page.EvaluateAsync<string[]>(Layout.BrokenWords));
        Assert.Empty(await page.EvaluateAsync<string[]>(Layout.UnlabelledControls));
        await page.GetByRole(AriaRole.Button, new() { Name = "Close incident…" }).ClickAsync();
        Assert.Empty(await page.EvaluateAsync<string[]>(Layout.BrokenWords));
        Assert.Empty(scriptErrors);
    }

    private static ILocator Field(IPage page, string label) => page.Locator($"#incident-fields > dl.fields > [data-field='{label}'] dd");

    [Fact]
    public async Task The_live_incident_list_shows_a_new_incident_and_keeps_its_filters()
    {
        var site = await console.Admin.CreateSiteAsync();
        await console.Admin.PostAsync("/api/incidents", new { site, incidentType = "Phishing", title = "First lure" });
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync($"/console/incidents?site={Uri.EscapeDataString(site)}");
        var rows = page.GetByRole(AriaRole.Table, new() { Name = "Incidents" }).Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(1);
        await page.GetByLabel("Refresh every 10 s (filters are kept)").CheckAsync();

        await console.Admin.PostAsync("/api/incidents", new { site, incidentType = "Phishing", title = "Second lure" });
        await console.Admin.PostAsync("/api/incidents", new { site = GatehouseClient.DefaultSite, incidentType = "Phishing", title = "Elsewhere" });

        await Expect(rows).ToHaveCountAsync(2, new() { Timeout = 25_000 });
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Incidents" })).ToContainTextAsync("Second lure");
        await Expect(page.Locator("#incidents-count")).ToHaveTextAsync("2 incidents");
        await Expect(page.GetByLabel("Site", new() { Exact = true })).ToHaveValueAsync(site);
    }

    private async Task<JsonNode> CreateIncidentAsync(string type, JsonObject? fields = null)
    {
        var body = new JsonObject { ["site"] = GatehouseClient.DefaultSite, ["incidentType"] = type, ["title"] = Unique.Name($"{type} on host") };
        foreach (var (name, value) in fields ?? [])
        {
            body[name] = value?.DeepClone();
        }
        return await console.Admin.PostAsync("/api/incidents", body);
    }

    private async Task<long> CreateEventAsync()
    {
        var integration = await console.Admin.CreateIntegrationAsync(new
        {
            mainJsonPath = "$.alerts",
            fieldMappings = new[] { new { field = "Title", source = "$.name" }, new { field = "Severity", source = "$.severity" } },
        });
        var key = await console.Admin.IntakeKeyAsync(integration);
        var result = await console.Admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite, new { alerts = new[] { new { name = "Beacon to rare domain", severity = "high" } } }, key);
        return result["events"]![0]!["id"]!.GetValue<long>();
    }
}
