using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Browser.Tests;

/// <summary>The playbook builder: tasks drawn as a graph, a form per task checked live, kept in step with the JSON, saved, and run on a real event.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class PlaybookBuilderTests(ConsoleFixture console)
{
    private static ILocator Node(IPage page, string task) => page.Locator($"#new-playbook-builder .task-node[data-task='{task}']");

    private static ILocator Card(IPage page, int number) => page.Locator("#new-playbook-builder fieldset.task-card:not(.playbook-fields)").Nth(number - 1);

    [Fact]
    public async Task A_playbook_built_in_the_task_forms_is_drawn_as_a_graph_checked_live_saved_and_run_on_a_real_event_whose_run_shows_the_graph_coloured()
    {
        var name = Unique.Name("Built playbook");
        var page = await console.NewPageAsync();
        var scriptErrors = new List<string>();
        page.PageError += (_, error) => scriptErrors.Add(error);
        page.Console += (_, message) => { if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)) { scriptErrors.Add(message.Text); } };
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync("/console/playbooks");
        var builder = page.Locator("#new-playbook-builder");

        // The template's one task is drawn and passes the API's checks.
        await Expect(Node(page, "artifacts")).ToBeVisibleAsync();
        await Expect(builder.Locator("[data-check]")).ToHaveTextAsync("No problems found: 1 task, ready to save.");
        await builder.GetByLabel("Name", new() { Exact = true }).FillAsync(name);

        // A second task waits for the first: an arrow joins them.
        await builder.GetByRole(AriaRole.Button, new() { Name = "Add task" }).ClickAsync();
        var second = Card(page, 2);
        await Expect(second.GetByLabel("Id", new() { Exact = true })).ToBeFocusedAsync();
        await second.GetByLabel("Id", new() { Exact = true }).FillAsync("techniques");
        await second.GetByLabel("Id", new() { Exact = true }).BlurAsync();
        await Expect(page.Locator("#new-playbook-builder .task-edge[data-edge='artifacts->techniques']")).ToHaveCountAsync(1);

        // An unknown command and a broken parameter are shown on the task, as saving would refuse them.
        await second.GetByLabel("Command").FillAsync("NoSuchCommand");
        await Expect(second.Locator("#new-playbook-builder-task1-command-hint")).ToContainTextAsync("No command 'NoSuchCommand' is known here");
        await Expect(second.Locator(".task-errors li")).ToContainTextAsync("NoSuchCommand");
        await Expect(builder.Locator("[data-check]")).ToContainTextAsync("saving would refuse this.");
        await second.GetByLabel("Command").FillAsync("MitreTtpSearch");
        await Expect(second.Locator("#new-playbook-builder-task1-command-hint")).ToContainTextAsync("Text (Text, required)");
        await second.GetByRole(AriaRole.Button, new() { Name = "Add missing parameters" }).ClickAsync();
        await Expect(builder.Locator("[data-check]")).ToHaveTextAsync("No problems found: 2 tasks, ready to save.");
        var parameters = second.GetByLabel("Parameters", new() { Exact = false });
        await parameters.FillAsync("{\"Text\": ");
        await Expect(second.Locator("#new-playbook-builder-task1-params-error")).ToContainTextAsync("Not a JSON object yet");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create playbook" }).ClickAsync();
        await Expect(builder.Locator("[data-check]")).ToHaveTextAsync("Nothing was saved: a field is not valid JSON yet (marked below).");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await console.Admin.Http.GetAsync($"/api/playbooks/{Uri.EscapeDataString(name)}")).StatusCode);
        await parameters.FillAsync("{\"Text\": \"{{ $.event.Title }}\"}");
        await second.GetByLabel("On error").SelectOptionAsync("continue");
        await Expect(builder.Locator("[data-check]")).ToHaveTextAsync("No problems found: 2 tasks, ready to save.");

        // The JSON follows the forms; selecting a box selects its task.
        await Expect(page.Locator(".code-editor[data-code-for=new-playbook] .cm-content")).ToContainTextAsync("\"onError\": \"continue\"");
        await Node(page, "artifacts").ClickAsync();
        await Expect(Card(page, 1)).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("selected"));
        await Expect(Card(page, 1).GetByLabel("Id", new() { Exact = true })).ToBeFocusedAsync();
        await builder.ScreenshotAsync("playbook-builder");
        Assert.Empty(await page.EvaluateAsync<string[]>(Layout.BrokenWords));

        await page.GetByRole(AriaRole.Button, new() { Name = "Create playbook" }).ClickAsync();
        await page.ExpectStatusAsync("Playbook created.");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(name);
        var saved = await console.Admin.GetAsync($"/api/playbooks/{Uri.EscapeDataString(name)}");
        var tasks = saved["definition"]!["tasks"]!.AsArray();
        Assert.Equal(["artifacts", "techniques"], tasks.Select(t => t!["id"]!.GetValue<string>()));
        Assert.Equal(["artifacts"], tasks[1]!["after"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal("continue", tasks[1]!["onError"]!.GetValue<string>());

        // On the saved playbook the name and kind stay; a change made in the JSON shows in the forms and the graph.
        var saving = page.Locator("#playbook-builder");
        await Expect(saving.GetByLabel("Name", new() { Exact = true })).ToHaveAttributeAsync("readonly", "");
        await page.Locator(".code-editor[data-code-for=playbook] .cm-content").ClickAsync();
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.PressAsync("Delete");
        await page.Keyboard.InsertTextAsync(new JsonObject
        {
            ["name"] = name, ["kind"] = "Event",
            ["tasks"] = new JsonArray(tasks[0]!.DeepClone(), tasks[1]!.DeepClone(),
                new JsonObject { ["id"] = "again", ["command"] = "ExtractArtifacts", ["params"] = new JsonObject { ["Text"] = "{{ $.event.Title }}" }, ["after"] = new JsonArray("artifacts") }),
        }.ToJsonString());
        await Expect(saving.Locator(".task-node")).ToHaveCountAsync(3);
        await Expect(saving.Locator(".task-edge[data-edge='artifacts->again']")).ToHaveCountAsync(1);
        await Expect(saving.Locator("fieldset.task-card:not(.playbook-fields)")).ToHaveCountAsync(3);
        await Expect(saving.Locator("[data-check]")).ToHaveTextAsync("No problems found: 3 tasks, ready to save.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save new version" }).ClickAsync();
        await page.ExpectStatusAsync("New version saved.");
        await Expect(page.Locator("#versions-heading + table tbody tr")).ToHaveCountAsync(2);

        // A real event runs it; the run's page draws the same graph with each task's outcome.
        var integration = await console.Admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.title" } } });
        var key = await console.Admin.IntakeKeyAsync(integration, new { eventPlaybook = name });
        await console.Admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite, new { title = "Mimikatz from 10.20.30.40 (T1003.001)" }, key);
        var run = await EndedRunAsync(name);
        Assert.Equal("Succeeded", run["status"]!.GetValue<string>());
        await page.ReloadAsync();
        await page.Locator("table[aria-labelledby=runs-heading] tbody a").First.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync($"Run of {name} v2");
        await Expect(page.Locator("#run-definition-builder .task-node.status-Succeeded")).ToHaveCountAsync(3);
        await Expect(page.Locator("#run-definition-builder .task-node[role=button]")).ToHaveCountAsync(0);
        await page.Locator("#run-definition-builder").ScreenshotAsync("playbook-run-graph");
        Assert.Empty(scriptErrors);
    }

    [Fact]
    public async Task An_analyst_sees_a_playbooks_graph_without_task_forms()
    {
        var name = Unique.Name("Read playbook");
        await console.Admin.PostAsync("/api/playbooks", new JsonObject
        {
            ["name"] = name, ["kind"] = "Event",
            ["tasks"] = new JsonArray(
                new JsonObject { ["id"] = "first", ["command"] = "ExtractArtifacts", ["params"] = new JsonObject { ["Text"] = "{{ $.event.Title }}" } },
                new JsonObject { ["id"] = "second", ["command"] = "MitreTtpSearch", ["params"] = new JsonObject { ["Text"] = "{{ $.event.Title }}" }, ["after"] = new JsonArray("first") }),
        });
        var (analyst, _) = await console.Admin.CreateUserAsync(console.Factory, "Analyst", GatehouseClient.DefaultSite);
        var page = await console.NewPageAsync();
        await page.SignInAsync(analyst, "user-password-for-tests");
        await page.GotoAsync($"/console/playbooks/{Uri.EscapeDataString(name)}");
        var builder = page.Locator("#playbook-definition-builder");
        await Expect(builder.Locator(".task-node")).ToHaveCountAsync(2);
        await Expect(builder.Locator(".task-edge[data-edge='first->second']")).ToHaveCountAsync(1);
        await Expect(builder.Locator(".task-node[role=button]")).ToHaveCountAsync(0);
        await Expect(builder.Locator("fieldset")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Add task" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Regression_a_dependency_cycle_typed_in_the_JSON_is_drawn_and_refused_without_a_script_error()
    {
        var page = await console.NewPageAsync();
        var scriptErrors = new List<string>();
        page.PageError += (_, error) => scriptErrors.Add(error);
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync("/console/playbooks");
        var builder = page.Locator("#new-playbook-builder");
        await Expect(builder.Locator("[data-check]")).ToHaveTextAsync("No problems found: 1 task, ready to save.");
        await page.Locator(".code-editor[data-code-for=new-playbook] .cm-content").ClickAsync();
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.PressAsync("Delete");
        await page.Keyboard.InsertTextAsync("""
            {"name": "Cycle", "kind": " incident ", "tasks": [
              {"id": "a", "command": "ExtractArtifacts", "params": {"Text": "x"}, "after": ["b"], "onError": "Continue"},
              {"id": "b", "command": "ExtractArtifacts", "params": {"Text": "x"}, "after": ["a"]}]}
            """);
        await Expect(builder.Locator(".task-node")).ToHaveCountAsync(2);
        await Expect(builder.Locator("[data-check]")).ToContainTextAsync("saving would refuse this.");
        await Expect(builder.GetByLabel("Kind")).ToHaveValueAsync("Incident"); // as the API reads " incident "
        await Expect(Card(page, 1).GetByLabel("On error")).ToHaveValueAsync("continue");
        Assert.Empty(scriptErrors);
    }

    private async Task<JsonNode> EndedRunAsync(string playbook)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var runs = (await console.Admin.GetAsync($"/api/playbook-runs?playbook={Uri.EscapeDataString(playbook)}"))["items"]!.AsArray();
            if (runs.Count == 1 && runs[0]!["status"]!.GetValue<string>() is "Succeeded" or "Failed" or "Cancelled")
            {
                return runs[0]!;
            }
            Assert.True(DateTime.UtcNow < deadline, $"No ended run of {playbook}: {runs.ToJsonString()}");
            await Task.Delay(100);
        }
    }
}
