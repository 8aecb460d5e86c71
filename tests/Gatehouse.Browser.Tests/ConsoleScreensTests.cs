using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Browser.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class ConsoleScreensTests(ConsoleFixture console)
{
    [Theory]
    [InlineData(1280)]
    [InlineData(1024)]
    public async Task Main_screens_have_labelled_controls_keep_words_whole_fit_the_width_and_are_captured(int width)
    {
        var integration = await console.Admin.CreateIntegrationAsync(new { mainJsonPath = "$.alerts", fieldMappings = new[] { new { field = "Title", source = "$.name" } } });
        var key = await console.Admin.IntakeKeyAsync(integration, new { runMitreTtpSearch = true });
        var result = await console.Admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite,
            new { alerts = new object[] { new { name = "Credential dumping T1003" }, "not an object" } }, key);
        var refid = result["refid"]!.GetValue<string>();
        var command = Unique.Name("Screens command").Replace(' ', '_');
        await console.Admin.PostAsync("/api/commands", new { name = command, script = "function main(params) { return params; }", parameters = new[] { new { name = "Host", type = "Text" } } });
        var playbook = Unique.Name("Screens playbook");
        await console.Admin.PostAsync("/api/playbooks", new JsonObject
        {
            ["name"] = playbook, ["kind"] = "Event",
            ["tasks"] = new JsonArray(
                new JsonObject { ["id"] = "artifacts", ["command"] = "ExtractArtifacts", ["params"] = new JsonObject { ["Text"] = "{{ $.event.Title }}" } },
                new JsonObject { ["id"] = "techniques", ["command"] = "MitreTtpSearch", ["params"] = new JsonObject { ["Text"] = "{{ $.event.Title }}" }, ["after"] = new JsonArray("artifacts") }),
        });
        // Audit rows and people with long unbroken words (a site name, a username) must wrap in their cells, not widen the page.
        var longWord = "Longword" + new string('x', 90);
        var longSite = await console.Admin.CreateSiteAsync(name: Unique.Name(longWord));
        await console.Admin.PostAsync("/api/users", new { username = Unique.Name("analyst").Replace(' ', '-'), password = "an-analysts-password", role = "Analyst", sites = new[] { GatehouseClient.DefaultSite, longSite } });
        await console.Admin.PostAsync("/api/automation-rules", new
        {
            name = Unique.Name("Kibana technique"), type = "Escalation", site = GatehouseClient.DefaultSite, enabled = false,
            condition = new { field = "$.hits.hits._source.kibana.alert.rule.parameters.threat.technique.id", @operator = "exists" },
            escalation = new { incidentType = "Intrusion", title = "{{$.hits.hits._source.kibana.alert.rule.name}}" },
        });
        await console.Admin.PostAsync("/api/users", new { username = longWord + Guid.NewGuid().ToString("N")[..8], password = "a-long-users-password", role = "Administrator" });
        var page = await console.NewPageAsync();
        await page.SetViewportSizeAsync(width, 800);
        var scriptErrors = new List<string>();
        page.PageError += (_, error) => scriptErrors.Add($"{page.Url}: {error}");
        page.Console += (_, message) => { if (message.Type == "error") { scriptErrors.Add($"{page.Url}: {message.Text}"); } };
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);

        (string Path, string Heading, string Screenshot)[] screens =
        [
            ("/console/configuration", "Configuration", "configuration"),
            ("/console/configuration?tab=utility", "Configuration", "configuration-utility"),
            ("/console/keys/new?module=DataIngestion", "New Data Ingestion key", "new-key"),
            ("/console/keys/new?module=UtilityCommand", "New Utility Command key", "new-utility-key"),
            ("/console/settings", "Application Settings", "settings"),
            ("/console/events", "Events", "events-all"),
            ("/console/incidents", "Incidents", "incidents"),
            ("/console/ingestions", "Ingestion logs", "ingestions"),
            ($"/console/ingestions/{refid}", $"Ingestion {refid}", "ingestion-log"),
            ($"/console/integrations/{Uri.EscapeDataString(integration)}", integration, "integration"),
            ("/console/integrations", "Integrations", "integrations"),
            ("/console/commands", "Utility commands", "commands"),
            ("/console/commands/ExtractArtifacts", "ExtractArtifacts", "command"),
            ("/console/rules", "Event automation rules", "rules"),
            ("/console/playbooks", "Playbooks", "playbooks"),
            ("/console/people", "Sites and users", "people"),
            ("/console/audit", "Audit log", "audit"),
            ("/console/replay?preview=true", "Replay stored requests", "replay"),
            ("/console", "Dashboard", "dashboard"),
            ("/console/attack?range=30d", "MITRE ATT&CK", "attack-matrix"),
            ($"/console/commands/{Uri.EscapeDataString(command)}", command, "command-custom"),
            ($"/console/playbooks/{Uri.EscapeDataString(playbook)}", playbook, "playbook"),
        ];
        foreach (var (path, heading, screenshot) in screens)
        {
            var response = await page.GotoAsync(path);
            Assert.True(response!.Ok, $"{path} answered {response.Status}");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(heading);
            Assert.Empty(await page.EvaluateAsync<string[]>(Layout.UnlabelledControls));
            var broken = await page.EvaluateAsync<string[]>(Layout.BrokenWords);
            Assert.True(broken.Length == 0, $"{path} at {width} px breaks words: {string.Join(", ", broken)}");
            var scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
            Assert.True(scrollWidth <= width, $"{path} is {scrollWidth} px wide: it scrolls sideways at {width}×800");
            await page.ScreenshotAsync(width == 1280 ? screenshot : $"{screenshot}-{width}");
        }
        Assert.True(scriptErrors.Count == 0, string.Join("\n", scriptErrors));
    }

    [Fact]
    public async Task Administrator_creates_a_client_site_and_an_analyst_of_it_who_can_then_sign_in()
    {
        var site = Unique.Name("Client site");
        var analyst = Unique.Name("analyst").Replace(' ', '-');
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GetByRole(AriaRole.Link, new() { Name = "Sites and users" }).ClickAsync();

        await page.GetByLabel("New site").FillAsync(site);
        await page.GetByLabel("Kind").SelectOptionAsync("Client");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create site" }).ClickAsync();
        await page.ExpectStatusAsync("Site created.");
        await page.GetByLabel("Username").FillAsync(analyst);
        await page.GetByLabel("Password").FillAsync("analyst-password-1234");
        await page.GetByLabel("Role").SelectOptionAsync("Analyst");
        await page.GetByLabel("Sites (analysts see only these)").SelectOptionAsync([site]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        await page.ExpectStatusAsync("User created.");

        await Expect(page.GetByRole(AriaRole.Row, new() { Name = analyst })).ToContainTextAsync(site);
        var analystPage = await console.NewPageAsync();
        await analystPage.SignInAsync(analyst, "analyst-password-1234");
        await analystPage.GotoAsync("/console/events");
        await Expect(analystPage.GetByLabel("Site").Locator("option")).ToHaveTextAsync(["All my sites", site]);
        await Expect(analystPage.GetByRole(AriaRole.Link, new() { Name = "Sites and users" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Ingestion_log_shows_input_raw_data_output_events_incidents_and_errors()
    {
        var integration = await console.Admin.CreateIntegrationAsync(new { mainJsonPath = "$.alerts", fieldMappings = new[] { new { field = "Title", source = "$.name" } } });
        var key = await console.Admin.IntakeKeyAsync(integration);
        var result = await console.Admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite, new { alerts = new object[] { new { name = "Port scan" }, 42 } }, key);
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);

        await page.GotoAsync("/console/ingestions");
        await page.GetByRole(AriaRole.Link, new() { Name = result["refid"]!.GetValue<string>() }).ClickAsync();

        foreach (var section in new[] { "Input", "Raw Data", "Output", "Event List", "Incident List", "Error Log" })
        {
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = section, Exact = true })).ToBeVisibleAsync();
        }
        await Expect(page.Locator("#input")).ToContainTextAsync("Port scan");
        await Expect(page.Locator("#event-list")).ToContainTextAsync("Port scan");
        await Expect(page.Locator("#error-log")).ToContainTextAsync("event 1");
    }

    [Fact]
    public async Task A_quarantined_ingestion_says_why_and_is_retried_from_its_page()
    {
        var formatter = Unique.Name("Crashing").Replace(' ', '_');
        await console.Admin.PostAsync("/api/commands", new
        {
            name = formatter, features = new[] { "DataFormatter" },
            script = "function format(e) { var a = []; for (var i = 0; i < 20000; i++) { a = [a]; } return { deep: a }; }",
        });
        var integration = await console.Admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.name" } } });
        var key = await console.Admin.IntakeKeyAsync(integration, new { dataFormatter = formatter });
        var accepted = await GatehouseClient.Json(await console.Admin.SendAsync(integration, GatehouseClient.DefaultSite, new { name = "Poisoned alert" }, key), System.Net.HttpStatusCode.Accepted);
        var refid = accepted["refid"]!.GetValue<string>();
        await console.Admin.WaitForIngestionAsync(refid, "Failed");
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);

        await page.GotoAsync($"/console/ingestions/{refid}");
        await Expect(page.Locator("#quarantined")).ToContainTextAsync("Quarantined");
        await Expect(page.Locator("#error-log")).ToContainTextAsync("sandbox process");
        await page.ScreenshotAsync("ingestion-quarantined");
        await console.Admin.PutAsync($"/api/commands/{formatter}", new { features = new[] { "DataFormatter" }, script = "function format(e) { return e; }" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();
        await page.ExpectStatusAsync("Ingestion queued again.");

        Assert.Equal("Processed", (await console.Admin.WaitForIngestionAsync(refid, "Processed"))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Mapping_editor_previews_a_sample_and_saves_the_mapping()
    {
        var integration = await console.Admin.CreateIntegrationAsync();
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync($"/console/integrations/{Uri.EscapeDataString(integration)}");
        var eventIntake = page.Locator("#event-intake");

        await eventIntake.GetByLabel("Main JSON Path").FillAsync("$.hits.hits._source");
        await eventIntake.GetByRole(AriaRole.Button, new() { Name = "Add mapping" }).ClickAsync();
        await eventIntake.GetByLabel("Field", new() { Exact = true }).Last.FillAsync("Hostname");
        await eventIntake.GetByLabel("Source JSON path").Last.FillAsync("$.rawData.host");
        await page.GetByRole(AriaRole.Button, new() { Name = "Test with sample JSON" }).ClickAsync();

        await Expect(page.Locator("#mapping-preview")).ToContainTextAsync("\"Hostname\": \"web-01\"");
        await page.ScreenshotAsync("integration-mapping-preview");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save mapping" }).ClickAsync();
        await page.ExpectStatusAsync("Mapping saved.");
        var saved = await console.Admin.GetAsync($"/api/integrations/{Uri.EscapeDataString(integration)}");
        Assert.Equal("$.hits.hits._source", saved["eventIntake"]!["mainJsonPath"]!.GetValue<string>());
        Assert.Equal("Hostname", saved["eventIntake"]!["fieldMappings"]![0]!["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task Utility_command_key_shows_a_sample_body_built_from_the_commands_parameters_and_no_site_choice()
    {
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync("/console/keys/new?module=UtilityCommand");
        var keyName = Unique.Name("Artifacts");

        await page.GetByLabel("Name").FillAsync(keyName);
        await page.GetByLabel("Target command").SelectOptionAsync("ExtractArtifacts");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = keyName })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Select Site")).ToHaveCountAsync(0);
        await Expect(page.Locator("#request-url")).ToHaveTextAsync($"{console.BaseUrl}/VSOC/api/Command/ExtractArtifacts");
        var sample = JsonNode.Parse(await page.CopyAsync("Copy body"))!;
        Assert.Equal("admin", sample["Username"]!.GetValue<string>());
        Assert.NotNull(sample["CommandParams"]!.AsObject());
        var response = await console.Admin.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/VSOC/api/Command/ExtractArtifacts")
        {
            Content = new StringContent(sample.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
            Headers = { { "d3key", await page.CopyAsync("Copy header value") } },
        });
        var answer = await GatehouseClient.Json(response, System.Net.HttpStatusCode.OK);
        Assert.Equal("", answer["error"]!.GetValue<string>());
    }
}
