using Gatehouse.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Browser.Tests;

/// <summary>The command editor: a code editor with live syntax errors, a run with given input, and the saved formatter's effect on a real event.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class CommandEditorTests(ConsoleFixture console)
{
    private static ILocator Editor(IPage page, string field) => page.Locator($".code-editor[data-code-for={field}] .cm-content");

    private static async Task TypeCodeAsync(IPage page, string field, string code)
    {
        await Editor(page, field).ClickAsync();
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.PressAsync("Delete");
        await page.Keyboard.InsertTextAsync(code);
    }

    [Fact]
    public async Task A_formatter_written_in_the_code_editor_shows_its_syntax_error_runs_on_a_sample_is_saved_and_formats_the_next_real_event()
    {
        var name = Unique.Name("Lower host").Replace(' ', '_');
        var page = await console.NewPageAsync();
        var scriptErrors = new List<string>();
        page.PageError += (_, error) => scriptErrors.Add(error);
        // The refusals this test provokes are logged as failed loads; a script error or a blocked style is not expected.
        page.Console += (_, message) => { if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)) { scriptErrors.Add(message.Text); } };
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync("/console/commands");
        var form = page.Locator("#command-form");
        await form.GetByLabel("Name", new() { Exact = true }).FillAsync(name);

        // Line numbers and highlighting: the script is a code editor, not a text area.
        await Expect(page.Locator(".code-editor[data-code-for=command-script] .cm-lineNumbers")).ToBeVisibleAsync();
        await Expect(form.Locator("textarea#command-script")).ToBeHiddenAsync();
        await form.GetByLabel("Event/Incident Data Formatter").CheckAsync();
        await Expect(Editor(page, "command-script")).ToContainTextAsync("function format(event, context)");
        await Expect(form.Locator("label[for=command-input]")).ToHaveTextAsync("Sample event (JSON object)");

        await TypeCodeAsync(page, "command-script", "function format(event, context) {\n  event.host = event.host.toLowerCase(;\n  return event;\n}");
        await Expect(page.Locator(".code-editor[data-code-for=command-script] .cm-lintRange-error")).ToHaveCountAsync(1);
        await Expect(page.Locator(".code-editor[data-code-for=command-script] .cm-lint-marker-error")).ToBeVisibleAsync();
        await form.GetByRole(AriaRole.Button, new() { Name = "Create command" }).ClickAsync();
        await Expect(page.Locator("#command-script-error")).ToContainTextAsync("Script");
        await TypeCodeAsync(page, "command-script", "function main(event) {\n  return event;\n}");
        await Expect(page.Locator(".code-editor[data-code-for=command-script] .cm-lint-marker-error")).ToBeVisibleAsync(); // a formatter must define format

        await TypeCodeAsync(page, "command-script",
            "function format(event, context) {\n  if (event.noise) return null;\n  event.host = event.host.toLowerCase();\n  event.formattedFor = context.site;\n  return event;\n}");
        await Expect(page.Locator(".code-editor[data-code-for=command-script] .cm-lintRange-error")).ToHaveCountAsync(0);
        await form.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
        await Expect(page.Locator("#command-run-result")).ToContainTextAsync("Returned in");
        await Expect(page.Locator("#command-run-result pre")).ToContainTextAsync("\"host\": \"ws-01.example.com\"");
        await TypeCodeAsync(page, "command-input", "{\"noise\": true}");
        await form.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
        await Expect(page.Locator("#command-run-result")).ToContainTextAsync("this event would be dropped");
        await TypeCodeAsync(page, "command-input", "{\"host\": ");
        await form.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
        await Expect(form.GetByRole(AriaRole.Alert).First).ToContainTextAsync("is not complete JSON");
        await TypeCodeAsync(page, "command-input", "{\"host\": \"DC-02.CORP\"}");
        await form.ScreenshotAsync("command-editor");
        Assert.Empty(await page.EvaluateAsync<string[]>(Layout.BrokenWords));

        await form.GetByRole(AriaRole.Button, new() { Name = "Create command" }).ClickAsync();
        await page.ExpectStatusAsync("Command created.");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(name);
        await Expect(Editor(page, "command-script")).ToContainTextAsync("event.formattedFor = context.site;");
        await page.GetByLabel("Timeout (seconds)").FillAsync("5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save command" }).ClickAsync();
        await page.ExpectStatusAsync("Command saved.");
        var saved = await console.Admin.GetAsync($"/api/commands/{name}");
        Assert.Equal(5, saved["timeoutSeconds"]!.GetValue<int>());
        Assert.Equal(["DataFormatter"], saved["features"]!.AsArray().Select(f => f!.GetValue<string>()));

        var integration = await console.Admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Hostname", source = "$.host" } } });
        var key = await console.Admin.IntakeKeyAsync(integration, new { dataFormatter = name });
        var result = await console.Admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite, new { host = "WS-77.EXAMPLE.COM" }, key);
        var evt = await console.Admin.GetAsync($"/api/events/{result["events"]![0]!["id"]}");
        Assert.Equal("ws-77.example.com", evt["fields"]!["Hostname"]!.GetValue<string>());
        Assert.True(scriptErrors.Count == 0, string.Join("\n", scriptErrors));
    }

    [Fact]
    public async Task A_command_run_with_parameters_shows_what_main_returned_and_a_failing_script_says_why()
    {
        var page = await console.NewPageAsync();
        await page.SignInAsync("admin", GatehouseFactory.AdminPassword);
        await page.GotoAsync("/console/commands");
        var form = page.Locator("#command-form");
        await TypeCodeAsync(page, "command-script", "function main(params, context) {\n  if (!params.Host) throw new Error('no host given');\n  return { returnData: { host: params.Host, by: context.username } };\n}");
        await TypeCodeAsync(page, "command-parameters", "[{\"name\": \"Host\", \"type\": \"Text\"}]");
        await TypeCodeAsync(page, "command-input", "{\"Host\": \"db-01\"}");
        await form.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
        await Expect(page.Locator("#command-run-result pre")).ToContainTextAsync("\"by\": \"admin\"");
        await TypeCodeAsync(page, "command-input", "{}");
        await form.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
        await Expect(page.Locator("#command-run-result .run-failed")).ToContainTextAsync("no host given");
        await TypeCodeAsync(page, "command-input", "{\"Port\": 5}");
        await form.GetByRole(AriaRole.Button, new() { Name = "Run" }).ClickAsync();
        await Expect(page.Locator("#command-input-error")).ToContainTextAsync("'Port' is not a parameter");
    }
}
