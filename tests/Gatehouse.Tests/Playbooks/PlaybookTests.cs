using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Playbooks;

/// <summary>Playbooks: definitions checked when saved, runs triggered by intake, escalation and CreateIncident, the engine's semantics.</summary>
public abstract class PlaybookTests(GatehouseFixture fixture)
{
    public static readonly Dictionary<string, string?> Settings = new()
    {
        ["Gatehouse:Outbound:AllowedHosts:0"] = "127.0.0.1",
        ["Gatehouse:Playbooks:LeaseSeconds"] = "3",
    };

    private const string Site = GatehouseClient.DefaultSite;

    private GatehouseClient Admin => fixture.Admin;

    private async Task<string> PlaybookAsync(string kind, params object[] tasks)
    {
        var name = Unique.Name("Playbook");
        await Admin.PostAsync("/api/playbooks", new { name, kind, tasks });
        return name;
    }

    private async Task<string> CommandAsync(string script, params object[] parameters)
    {
        var name = Unique.Name("Step").Replace(' ', '_');
        await Admin.PostAsync("/api/commands", new { name, parameters, script });
        return name;
    }

    /// <summary>Sends one event through a new key with the playbook; returns the event id.</summary>
    private async Task<long> SendEventAsync(string playbook, object evt, object? keyOptions = null)
    {
        var integration = await Admin.CreateIntegrationAsync(new
        {
            mainJsonPath = "$",
            fieldMappings = new[]
            {
                new { field = "Title", source = "$.title" }, new { field = "Severity", source = "$.severity" }, new { field = "Source IP", source = "$.ip" },
            },
        });
        var options = System.Text.Json.JsonSerializer.SerializeToNode(keyOptions ?? new { })!.AsObject();
        options["eventPlaybook"] = playbook;
        var key = await Admin.IntakeKeyAsync(integration, options);
        var result = await Admin.SendAndWaitAsync(integration, Site, evt, key);
        return result["events"]![0]!["id"]!.GetValue<long>();
    }

    /// <summary>Waits until the one run the query finds has ended; returns it with its tasks.</summary>
    private async Task<JsonNode> EndedRunAsync(string query, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var runs = (await Admin.GetAsync($"/api/playbook-runs?{query}"))["items"]!.AsArray();
            if (runs.Count == 1 && runs[0]!["status"]!.GetValue<string>() is "Succeeded" or "Failed" or "Cancelled")
            {
                return await Admin.GetAsync($"/api/playbook-runs/{runs[0]!["id"]}");
            }
            Assert.True(DateTime.UtcNow < deadline, $"No ended run for {query}: {runs.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    /// <summary>Parameters by their exact names (the test client would camel-case an anonymous object's).</summary>
    private static Dictionary<string, object?> Params(params (string Name, object? Value)[] values) => values.ToDictionary(v => v.Name, v => v.Value);

    private static string Messages(JsonNode problem) => string.Join("\n", problem["errors"]!.AsArray().Select(e => e!["message"]!.GetValue<string>()));

    private static JsonNode TaskOf(JsonNode run, string id) => run["tasks"]!.AsArray().Single(t => t!["id"]!.GetValue<string>() == id)!;

    private static string Status(JsonNode run, string id) => TaskOf(run, id)["status"]!.GetValue<string>();

    [Fact]
    public async Task A_definition_is_validated_as_create_would_check_it_without_being_saved()
    {
        var name = Unique.Name("Checked only");
        var tasks = new object[]
        {
            new { id = "a", command = "ExtractArtifacts", @params = new Dictionary<string, object> { ["Text"] = "{{ $.event.Title }}" } },
            new { id = "b", command = "MitreTtpSearch", @params = new Dictionary<string, object> { ["Text"] = "{{ $.tasks.a.returnData }}" }, after = new[] { "a" } },
        };
        var valid = await Admin.PostAsync("/api/playbooks/validate", new { name, kind = "Event", tasks }, HttpStatusCode.OK);
        Assert.Equal(2, valid["tasks"]!.GetValue<int>());
        Assert.Equal("Event", valid["kind"]!.GetValue<string>());
        await GatehouseClient.Problem(await Admin.Http.GetAsync($"/api/playbooks/{Uri.EscapeDataString(name)}"), HttpStatusCode.NotFound);

        var refused = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/playbooks/validate", new
        {
            name, kind = "Event",
            tasks = new object[] { tasks[0], new { id = "b", command = "NoSuchCommand", after = new[] { "nowhere" } } },
        }), HttpStatusCode.BadRequest);
        var messages = Messages(refused);
        Assert.Contains("tasks[1]", messages);
        Assert.Contains("NoSuchCommand", messages);
        Assert.Contains("nowhere", messages);
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("[\"a\"]")]
    [InlineData("[[]]")]
    [InlineData("[{\"id\": \"a\", \"command\": \"ExtractArtifacts\", \"params\": {\"Text\": \"x\"}}, 7]")]
    public async Task Regression_a_task_that_is_not_an_object_is_a_400_naming_it_not_a_500(string tasks)
    {
        foreach (var url in new[] { "/api/playbooks/validate", "/api/playbooks" })
        {
            var body = new StringContent($$"""{"name": "{{Unique.Name("Not objects")}}", "kind": "Event", "tasks": {{tasks}}}""", Encoding.UTF8, "application/json");
            var problem = await GatehouseClient.Problem(await Admin.Http.PostAsync(url, body), HttpStatusCode.BadRequest);
            Assert.Contains("a task is an object", Messages(problem));
        }
    }

    [Fact]
    public async Task Regression_parameters_nested_deeper_than_64_levels_are_checked_not_a_500()
    {
        var deep = string.Concat(Enumerable.Repeat("[", 100)) + "\"x\"" + string.Concat(Enumerable.Repeat("]", 100));
        var body = new StringContent("{\"name\": \"" + Unique.Name("Deep") + "\", \"kind\": \"Event\", \"tasks\": [{\"id\": \"a\", \"command\": \"ExtractArtifacts\", \"params\": {\"Text\": " + deep + "}}]}",
            Encoding.UTF8, "application/json");
        var problem = await GatehouseClient.Problem(await Admin.Http.PostAsync("/api/playbooks/validate", body), HttpStatusCode.BadRequest);
        Assert.Contains("Text", Messages(problem));
    }

    [Fact]
    public async Task Regression_a_parameter_of_thousands_of_opening_braces_is_checked_without_timing_out()
    {
        var braces = string.Concat(Enumerable.Repeat("{{", 6000));
        var response = await Admin.Http.PostAsJsonAsync("/api/playbooks/validate", new
        {
            name = Unique.Name("Braces"), kind = "Event",
            tasks = new[] { new { id = "a", command = "ExtractArtifacts", @params = new Dictionary<string, object> { ["Text"] = braces } } },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("Event, Incident", false)]
    [InlineData("1", false)]
    [InlineData(" incident ", true)]
    public async Task A_kind_is_one_name_in_any_case_never_a_list_or_a_number(string kind, bool accepted)
    {
        var response = await Admin.Http.PostAsJsonAsync("/api/playbooks/validate", new
        {
            name = Unique.Name("Kinds"), kind,
            tasks = new[] { new { id = "a", command = "ExtractArtifacts", @params = new Dictionary<string, object> { ["Text"] = "x" } } },
        });
        Assert.Equal(accepted ? HttpStatusCode.OK : HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task An_event_playbook_runs_parallel_branches_skips_by_condition_and_templates_from_the_event_and_earlier_tasks()
    {
        var echo = await CommandAsync("function main(p) { return { returnData: { got: p['Value'] } }; }", new { name = "Value", type = "text" });
        var echoList = await CommandAsync("function main(p) { return { returnData: { got: p['Value'] } }; }", new { name = "Value", type = "list" });
        var playbook = await PlaybookAsync("Event",
            new { id = "artifacts", command = "ExtractArtifacts", @params = Params(("Text", "{{ $.event.Title }} from {{ $.event['Source IP'] }}")) },
            new { id = "severity", command = echo, @params = Params(("Value", "{{ $.event.Severity }}")) },
            new { id = "report", command = echoList, after = new[] { "artifacts", "severity" }, @params = Params(("Value", "{{ $.tasks.artifacts.returnData.ipAddresses }}")) },
            new { id = "page", command = echo, after = new[] { "severity" }, @params = Params(("Value", "wake someone")),
                when = new { field = "$.tasks.severity.returnData.got", @operator = "equals", value = "Critical" } },
            new { id = "note", command = echo, after = new[] { "page" }, @params = Params(("Value", "after a skipped task")) });

        var eventId = await SendEventAsync(playbook, new { title = "Beacon to 198.51.100.7", severity = "High", ip = "10.1.2.3" });

        var run = await EndedRunAsync($"event={eventId}");
        Assert.Equal("Succeeded", run["status"]!.GetValue<string>());
        Assert.Equal(playbook, run["playbook"]!.GetValue<string>());
        Assert.Equal(["artifacts", "severity", "report", "page", "note"], run["tasks"]!.AsArray().Select(t => t!["id"]!.GetValue<string>()));
        Assert.Equal(("Succeeded", "Succeeded", "Succeeded", "Skipped", "Succeeded"),
            (Status(run, "artifacts"), Status(run, "severity"), Status(run, "report"), Status(run, "page"), Status(run, "note")));
        Assert.Equal("Beacon to 198.51.100.7 from 10.1.2.3", TaskOf(run, "artifacts")["input"]!["Text"]!.GetValue<string>());
        Assert.Equal("High", TaskOf(run, "severity")["output"]!["returnData"]!["got"]!.GetValue<string>());
        // A whole-value template keeps the JSON type: the list of addresses the first task found.
        Assert.Equal(["198.51.100.7", "10.1.2.3"], TaskOf(run, "report")["input"]!["Value"]!.AsArray().Select(v => v!.GetValue<string>()).Order().Reverse());
        // The two independent tasks started together; the one that waits for both started after both ended.
        Assert.Equal(TaskOf(run, "artifacts")["startedAt"]!.GetValue<DateTimeOffset>(), TaskOf(run, "severity")["startedAt"]!.GetValue<DateTimeOffset>());
        Assert.True(TaskOf(run, "report")["startedAt"]!.GetValue<DateTimeOffset>() >= TaskOf(run, "artifacts")["finishedAt"]!.GetValue<DateTimeOffset>());
        Assert.Null(TaskOf(run, "page")["input"]);
        Assert.All(run["tasks"]!.AsArray().Where(t => t!["status"]!.GetValue<string>() == "Succeeded"), t => Assert.Equal(1, t!["attempts"]!.GetValue<int>()));
        var steps = (await Admin.GetAsync($"/api/events/{eventId}"))["ingestionId"]?.GetValue<string>() is { } refid
            ? (await Admin.GetAsync($"/api/ingestions/{refid}"))["steps"]!.AsArray() : null;
        Assert.Equal(run["id"]!.GetValue<string>(), steps?[0]?["playbookRun"]?.GetValue<string>());
    }

    [Fact]
    public async Task A_failing_task_is_retried_with_backoff_and_then_succeeds()
    {
        await using var vendor = new VendorApi();
        await vendor.StartAsync();
        var integration = await vendor.IntegrationAsync(Admin);
        var name = Guid.NewGuid().ToString("N");
        var playbook = await PlaybookAsync("Event",
            new { id = "flaky", command = $"{integration}/Flaky", @params = new Dictionary<string, object> { ["Name"] = name, ["Failures"] = 2 }, retries = 2, retryDelaySeconds = 1 });

        var eventId = await SendEventAsync(playbook, new { title = "retry me" });

        var run = await EndedRunAsync($"event={eventId}");
        Assert.Equal("Succeeded", run["status"]!.GetValue<string>());
        var task = TaskOf(run, "flaky");
        Assert.Equal(3, task["attempts"]!.GetValue<int>());
        Assert.Equal(3, vendor.Calls[name]);
        Assert.True(task["output"]!["rawData"]!["ok"]!.GetValue<bool>());
        // Backoff: 1 s, then 2 s, between the three attempts.
        Assert.True(task["finishedAt"]!.GetValue<DateTimeOffset>() - run["startedAt"]!.GetValue<DateTimeOffset>() >= TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task OnError_continue_lets_the_run_go_on_and_stop_fails_it_and_cancels_what_waits()
    {
        var fail = await CommandAsync("function main() { throw new Error('vendor said no'); }");
        var echo = await CommandAsync("function main() { return 'ok'; }");
        var tolerant = await PlaybookAsync("Event",
            new { id = "lookup", command = fail, onError = "continue" },
            new { id = "after", command = echo, after = new[] { "lookup" } });
        var strict = await PlaybookAsync("Event",
            new { id = "lookup", command = fail },
            new { id = "after", command = echo, after = new[] { "lookup" } },
            new { id = "independent", command = echo });

        var tolerantRun = await EndedRunAsync($"event={await SendEventAsync(tolerant, new { title = "a" })}");
        var strictRun = await EndedRunAsync($"event={await SendEventAsync(strict, new { title = "b" })}");

        Assert.Equal("Succeeded", tolerantRun["status"]!.GetValue<string>());
        Assert.Equal(("Failed", "Succeeded"), (Status(tolerantRun, "lookup"), Status(tolerantRun, "after")));
        Assert.Contains("vendor said no", TaskOf(tolerantRun, "lookup")["error"]!.GetValue<string>());
        Assert.Equal("Failed", strictRun["status"]!.GetValue<string>());
        Assert.Equal(("Failed", "Cancelled", "Succeeded"), (Status(strictRun, "lookup"), Status(strictRun, "after"), Status(strictRun, "independent")));
        Assert.Contains("Task 'lookup' failed", strictRun["error"]!.GetValue<string>());
        var metrics = await (await fixture.Factory.CreateClient().GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.Contains($"gatehouse_playbook_runs_started_total{{otel_scope_name=\"Gatehouse.Playbooks\",playbook=\"{strict}\"}} 1", metrics);
        Assert.Contains($"gatehouse_playbook_runs_finished_total{{otel_scope_name=\"Gatehouse.Playbooks\",outcome=\"Failed\",playbook=\"{strict}\"}} 1", metrics);
        Assert.Contains("gatehouse_playbook_task_duration_seconds_bucket{", metrics);
    }

    [Fact]
    public async Task A_task_that_runs_past_its_timeout_fails()
    {
        await using var vendor = new VendorApi();
        await vendor.StartAsync();
        var integration = await vendor.IntegrationAsync(Admin);
        var playbook = await PlaybookAsync("Event",
            new { id = "slow", command = $"{integration}/Slow", @params = new Dictionary<string, object> { ["Name"] = Guid.NewGuid().ToString("N"), ["Seconds"] = 20 }, timeoutSeconds = 1 });

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var run = await EndedRunAsync($"event={await SendEventAsync(playbook, new { title = "slow" })}");

        Assert.Equal("Failed", run["status"]!.GetValue<string>());
        Assert.Contains("within 1 s", TaskOf(run, "slow")["error"]!.GetValue<string>());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task An_escalation_rule_and_CreateIncident_start_incident_playbooks_on_the_incident()
    {
        var echo = await CommandAsync("function main(p) { return { returnData: p['Value'] }; }", new { name = "Value", type = "text" });
        var playbook = await PlaybookAsync("Incident", new { id = "note", command = echo, @params = Params(("Value", "{{ $.incident.Title }} ({{ $.incident.Severity }})")) });
        await Admin.PostAsync("/api/automation-rules", new
        {
            name = Unique.Name("Escalate"), type = "Escalation", site = Site, order = 1,
            condition = new { field = "Title", @operator = "startsWith", value = "ESCALATE-ME" },
            escalation = new { incidentType = "Malware", title = "Escalated: {{Title}}", severity = "High", playbook },
        });
        var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.title" } } });
        var key = await Admin.IntakeKeyAsync(integration, new { runEventAutomationRules = true });

        var result = await Admin.SendAndWaitAsync(integration, Site, new { title = "ESCALATE-ME " + Guid.NewGuid().ToString("N") }, key);
        var incidentId = (await Admin.GetAsync($"/api/events/{result["events"]![0]!["id"]}"))["incidents"]?[0]?.GetValue<long>()
            ?? result["incidents"]![0]!["id"]!.GetValue<long>();

        var run = await EndedRunAsync($"incident={incidentId}");
        Assert.Equal("Succeeded", run["status"]!.GetValue<string>());
        Assert.StartsWith("Escalated: ESCALATE-ME", TaskOf(run, "note")["output"]!["returnData"]!.GetValue<string>());
        Assert.EndsWith("(High)", TaskOf(run, "note")["output"]!["returnData"]!.GetValue<string>());
        Assert.StartsWith("escalation rule", run["trigger"]!.GetValue<string>());

        var commandKey = await Admin.PostAsync("/api/keys", new { name = Unique.Name("Create"), module = "UtilityCommand", command = "CreateIncident" });
        var secret = (await Admin.GetAsync($"/api/keys/{commandKey["id"]}/secret"))["headerValue"]!.GetValue<string>();
        var created = await RunCommandAsync("CreateIncident", secret, new Dictionary<string, object> { ["Incident Type"] = "Phishing", ["Title"] = "Reported mail", ["Playbook"] = playbook });
        var refused = await RunCommandAsync("CreateIncident", secret, new Dictionary<string, object> { ["Incident Type"] = "Phishing", ["Playbook"] = "No such playbook" });

        var createdRun = await EndedRunAsync($"incident={created["returnData"]!["incidentId"]}");
        Assert.Equal("Reported mail (Medium)", TaskOf(createdRun, "note")["output"]!["returnData"]!.GetValue<string>());
        Assert.Equal(createdRun["id"]!.GetValue<string>(), created["returnData"]!["playbookRun"]!.GetValue<string>());
        Assert.Contains("no playbook 'No such playbook'", refused["error"]!.GetValue<string>());
        var escalationRule = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/automation-rules", new
        {
            name = Unique.Name("Bad"), type = "Escalation", site = Site,
            condition = new { field = "Title", @operator = "exists" },
            escalation = new { incidentType = "X", playbook = "No such playbook" },
        }), HttpStatusCode.BadRequest);
        Assert.Contains("there is no playbook", escalationRule.ToJsonString());
    }

    private async Task<JsonNode> RunCommandAsync(string command, string key, object commandParams)
    {
        var body = new JsonObject { ["Username"] = "admin", ["Site"] = Site, ["CommandParams"] = System.Text.Json.JsonSerializer.SerializeToNode(commandParams) };
        var request = new HttpRequestMessage(HttpMethod.Post, $"/VSOC/api/Command/{command}") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("d3key", key);
        return await GatehouseClient.Json(await Admin.Http.SendAsync(request), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Saving_checks_everything_at_once_and_keeps_versions()
    {
        var echo = await CommandAsync("function main(p) { return p['Value']; }", new { name = "Value", type = "integer", required = true });
        var invalid = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/playbooks", new
        {
            name = Unique.Name("Broken"), kind = "Event",
            tasks = new object[]
            {
                new { id = "a", command = "NoSuchCommand" },
                new { id = "b", command = echo, @params = Params(("Value", "not a number")) },
                new { id = "c", command = echo, after = new[] { "d" }, @params = Params(("Value", 1)) },
                new { id = "d", command = echo, after = new[] { "c" }, @params = Params(("Value", 2)) },
                new { id = "e", command = echo, after = new[] { "missing" }, @params = Params(("Value", 3)) },
                new { id = "f", command = echo, @params = Params(("Value", "{{ $.tasks.b.returnData }}")) },
                new { id = "g", command = echo, @params = Params(("Value", "{{ $.incident.Title }}"), ("Extra", "{{ $.event.Title }}")) },
            },
        }), HttpStatusCode.BadRequest);
        var errors = invalid["errors"]!.AsArray().Select(e => e!["message"]!.GetValue<string>()).ToList();
        Assert.True(errors.Any(e => e.StartsWith("tasks[0].command: there is no command 'NoSuchCommand'")), string.Join("\n", errors));
        Assert.True(errors.Any(e => e.StartsWith("tasks[1].params: 'Value'")), string.Join("\n", errors));
        Assert.True(errors.Any(e => e.StartsWith("tasks[4].after: there is no task 'missing'")), string.Join("\n", errors));
        Assert.True(errors.Any(e => e.StartsWith("tasks[6].params: 'Extra' is not a parameter")), string.Join("\n", errors));
        // A cycle is reported once the ids resolve; here a second playbook has only that problem.
        var cyclic = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/playbooks", new
        {
            name = Unique.Name("Cycle"), kind = "Event",
            tasks = new object[]
            {
                new { id = "c", command = echo, after = new[] { "d" }, @params = Params(("Value", 1)) },
                new { id = "d", command = echo, after = new[] { "c" }, @params = Params(("Value", 2)) },
                new { id = "f", command = echo, @params = Params(("Value", "{{ $.tasks.c.returnData }}")) },
                new { id = "g", command = echo, @params = Params(("Value", "{{ $.incident.Title }}")) },
            },
        }), HttpStatusCode.BadRequest);
        Assert.Contains("cycle: c → d → c", Messages(cyclic));
        var reads = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/playbooks", new
        {
            name = Unique.Name("Reads"), kind = "Event",
            tasks = new object[]
            {
                new { id = "c", command = echo, @params = Params(("Value", 1)) },
                new { id = "f", command = echo, @params = Params(("Value", "{{ $.tasks.c.returnData }}")) },
                new { id = "g", command = echo, @params = Params(("Value", "{{ $.incident.Title }}")) },
            },
        }), HttpStatusCode.BadRequest);
        Assert.Contains("reads task 'c', which this task does not wait for", Messages(reads));
        Assert.Contains("an Event playbook has no $.incident", Messages(reads));

        var name = await PlaybookAsync("Event", new { id = "one", command = echo, @params = Params(("Value", 1)) });
        var first = await EndedRunAsync($"event={await SendEventAsync(name, new { title = "v1" })}");
        var updated = await Admin.PutAsync($"/api/playbooks/{Uri.EscapeDataString(name)}", new
        {
            name, kind = "Event", tasks = new object[] { new { id = "two", command = echo, @params = Params(("Value", 2)) } },
        });
        var second = await EndedRunAsync($"event={await SendEventAsync(name, new { title = "v2" })}");
        var kindChange = await GatehouseClient.Problem(await Admin.Http.PutAsJsonAsync($"/api/playbooks/{Uri.EscapeDataString(name)}", new
        {
            name, kind = "Incident", tasks = new object[] { new { id = "two", command = echo, @params = Params(("Value", 2)) } },
        }), HttpStatusCode.BadRequest);

        Assert.Equal(2, updated["version"]!.GetValue<int>());
        Assert.Equal((1, "one"), (first["version"]!.GetValue<int>(), first["tasks"]![0]!["id"]!.GetValue<string>()));
        Assert.Equal((2, "two"), (second["version"]!.GetValue<int>(), second["tasks"]![0]!["id"]!.GetValue<string>()));
        Assert.Equal("one", (await Admin.GetAsync($"/api/playbooks/{Uri.EscapeDataString(name)}/versions/1"))["definition"]!["tasks"]![0]!["id"]!.GetValue<string>());
        Assert.Equal([1, 2], (await Admin.GetAsync($"/api/playbooks/{Uri.EscapeDataString(name)}"))["versions"]!.AsArray().Select(v => v!["version"]!.GetValue<int>()));
        Assert.Contains("kind", kindChange.ToJsonString());
    }

    [Fact]
    public async Task A_run_can_be_cancelled_while_it_waits_to_retry()
    {
        await using var vendor = new VendorApi();
        await vendor.StartAsync();
        var integration = await vendor.IntegrationAsync(Admin);
        var playbook = await PlaybookAsync("Event",
            new { id = "flaky", command = $"{integration}/Flaky", @params = new Dictionary<string, object> { ["Name"] = Guid.NewGuid().ToString("N"), ["Failures"] = 10 }, retries = 5, retryDelaySeconds = 60 },
            new { id = "after", command = "ExtractArtifacts", after = new[] { "flaky" }, @params = Params(("Text", "x")) });
        var eventId = await SendEventAsync(playbook, new { title = "cancel me" });
        JsonNode run;
        do
        {
            await Task.Delay(100);
            run = (await Admin.GetAsync($"/api/playbook-runs?event={eventId}"))["items"]![0]!;
        }
        while ((await Admin.GetAsync($"/api/playbook-runs/{run["id"]}"))["tasks"]![0]!["attempts"]!.GetValue<int>() < 1);

        var cancelling = await GatehouseClient.Json(await Admin.Http.PostAsync($"/api/playbook-runs/{run["id"]}/cancel", null), HttpStatusCode.OK);
        var ended = await EndedRunAsync($"event={eventId}");
        var again = await GatehouseClient.Problem(await Admin.Http.PostAsync($"/api/playbook-runs/{run["id"]}/cancel", null), HttpStatusCode.Conflict);

        Assert.True(cancelling["cancelRequested"]!.GetValue<bool>());
        Assert.Equal("Cancelled", ended["status"]!.GetValue<string>());
        Assert.Equal(("Cancelled", "Cancelled"), (Status(ended, "flaky"), Status(ended, "after")));
        Assert.Equal("run_finished", again["code"]!.GetValue<string>());
        Assert.Single((await Admin.GetAsync($"/api/playbook-runs?event={eventId}&status=cancelled"))["items"]!.AsArray());
        await GatehouseClient.Problem(await Admin.Http.GetAsync("/api/playbook-runs?status=sideways"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Secret_parameters_typed_into_a_playbook_are_encrypted_at_rest_redacted_when_shown_and_used_when_run()
    {
        var command = await CommandAsync("function main(p) { return { returnData: { length: p['Token'].length, first: p['Token'][0] } }; }",
            new { name = "Token", type = "text", required = true, secret = true });
        var name = Unique.Name("Playbook");
        await Admin.PostAsync("/api/playbooks", new { name, kind = "Event", tasks = new[] { new { id = "use", command, @params = Params(("Token", "hunter2-playbook")) } } });
        var (_, analyst) = await Admin.CreateUserAsync(fixture.Factory, "Analyst", Site);

        var shown = await Admin.GetAsync($"/api/playbooks/{Uri.EscapeDataString(name)}");
        var shownToAnalyst = await analyst.GetAsync($"/api/playbooks/{Uri.EscapeDataString(name)}");
        // Saving what was shown keeps the stored secret.
        await Admin.PutAsync($"/api/playbooks/{Uri.EscapeDataString(name)}", shown["definition"]!);
        var eventId = await SendEventAsync(name, new { title = "secret use" });
        var run = await EndedRunAsync($"event={eventId}");

        Assert.Equal("[redacted]", shown["definition"]!["tasks"]![0]!["params"]!["Token"]!.GetValue<string>());
        Assert.DoesNotContain("hunter2", shownToAnalyst.ToJsonString());
        Assert.Equal(16, TaskOf(run, "use")["output"]!["returnData"]!["length"]!.GetValue<int>());
        Assert.Equal("h", TaskOf(run, "use")["output"]!["returnData"]!["first"]!.GetValue<string>());
        Assert.DoesNotContain("hunter2", run.ToJsonString());
        await using var db = fixture.Factory.Store.OpenDb();
        var stored = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(db.PlaybookVersions.Select(v => v.DefinitionJson));
        Assert.DoesNotContain(stored, json => json.Contains("hunter2", StringComparison.Ordinal));
    }
}

public sealed class PlaybookSqliteFixture() : GatehouseFixture(Provider.Sqlite, PlaybookTests.Settings);

public sealed class PlaybookPostgresFixture() : GatehouseFixture(Provider.Postgres, PlaybookTests.Settings);

public sealed class PlaybookTestsOnSqlite(PlaybookSqliteFixture fixture) : PlaybookTests(fixture), IClassFixture<PlaybookSqliteFixture>;

public sealed class PlaybookTestsOnPostgres(PlaybookPostgresFixture fixture) : PlaybookTests(fixture), IClassFixture<PlaybookPostgresFixture>;
