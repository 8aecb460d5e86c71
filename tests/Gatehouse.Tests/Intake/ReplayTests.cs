using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Gatehouse.Storage;
using Gatehouse.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Tests.Intake;

/// <summary>
/// Replaying stored requests with the current definitions: the dry run's diff after a mapping or rule
/// change, and the background job that applies it — events updated in place, superseded, never duplicated.
/// </summary>
public abstract class ReplayTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;
    private static readonly object TitleOnly = new { mainJsonPath = "$.items", fieldMappings = new[] { new { field = "Title", source = "$.t" } } };

    private async Task<(string Integration, string Key, List<string> Refids)> IngestedAsync(string site, object eventIntake, params object[] bodies)
    {
        var integration = await Admin.CreateIntegrationAsync(eventIntake);
        var view = await Admin.PostAsync("/api/keys", new { name = Unique.Name("Replay"), module = "DataIngestion", site, integration, intake = "Event", runEventAutomationRules = true });
        var key = (await Admin.GetAsync($"/api/keys/{view["id"]}/secret"))["headerValue"]!.GetValue<string>();
        var refids = new List<string>();
        foreach (var body in bodies)
        {
            refids.Add((await Admin.SendAndWaitAsync(integration, site, body, key))["refid"]!.GetValue<string>());
        }
        return (integration, key, refids);
    }

    private Task RemapAsync(string integration, object eventIntake) =>
        Admin.PutAsync($"/api/integrations/{Uri.EscapeDataString(integration)}", new { eventIntake });

    private Task<JsonNode> DryRunAsync(object filter) => Admin.PostAsync("/api/ingestions/replay", new { filter, dryRun = true }, HttpStatusCode.OK);

    private async Task<JsonNode> ApplyAsync(object filter, bool runPlaybooks = false)
    {
        var job = await Admin.PostAsync("/api/ingestions/replay", new { filter, dryRun = false, runPlaybooks }, HttpStatusCode.Accepted);
        return await FinishedAsync(job["id"]!.GetValue<string>());
    }

    private async Task<JsonNode> FinishedAsync(string id)
    {
        for (var i = 0; i < 240; i++)
        {
            var job = await Admin.GetAsync($"/api/ingestions/replay/jobs/{id}");
            if (job["status"]!.GetValue<string>() is "Completed" or "Cancelled" or "Failed")
            {
                return job;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"replay job {id} did not finish");
    }

    private async Task<List<JsonNode>> EventsOfAsync(string refid) =>
        (await Admin.GetAsync($"/api/ingestions/{refid}"))["events"]!.AsArray().Select(e => e!).ToList();

    private async Task<int> ListedEventsAsync(string integration) =>
        (await Admin.GetAsync($"/api/events?integration={Uri.EscapeDataString(integration)}"))["total"]!.GetValue<int>();

    [Fact]
    public async Task A_dry_run_after_a_mapping_change_shows_each_event_field_by_field_and_writes_nothing()
    {
        var (integration, _, refids) = await IngestedAsync(GatehouseClient.DefaultSite, TitleOnly,
            new { items = new[] { new { t = "one", title = "Mimikatz", host = "ws-01" }, new { t = "two", title = "PsExec", host = "ws-02" } } });
        var before = await EventsOfAsync(refids[0]);
        await RemapAsync(integration, new { mainJsonPath = "$.items", fieldMappings = new[] { new { field = "Title", source = "$.title" }, new { field = "Hostname", source = "$.host" } } });

        var preview = await DryRunAsync(new { integration });

        Assert.Equal(1, preview["matched"]!.GetValue<int>());
        var ingestion = preview["ingestions"]![0]!;
        Assert.Equal(refids[0], ingestion["refid"]!.GetValue<string>());
        Assert.Equal("Changed", ingestion["outcome"]!.GetValue<string>());
        var first = ingestion["events"]!.AsArray().Single(e => e!["item"]!.GetValue<string>() == "event 0")!;
        Assert.Equal("Change", first["change"]!.GetValue<string>());
        Assert.Equal(before[0]["id"]!.GetValue<long>(), first["event"]!.GetValue<long>());
        var fields = first["fields"]!.AsArray().ToDictionary(f => f!["field"]!.GetValue<string>(), f => (From: f!["from"]?.GetValue<string>(), To: f["to"]?.GetValue<string>()));
        Assert.Equal(("one", "Mimikatz"), fields["Title"]);
        Assert.Equal((null, "ws-01"), fields["Hostname"]);
        Assert.Equal(2, preview["summary"]!["eventsChanging"]!.GetValue<int>());
        Assert.Equal("one", (await EventsOfAsync(refids[0]))[0]["fields"]!["Title"]!.GetValue<string>());
        Assert.Equal(0, (await Admin.GetAsync("/api/ingestions/replay/jobs"))["items"]!.AsArray().Count(j => j!["filter"]!["integration"]?.GetValue<string>() == integration));
    }

    [Fact]
    public async Task Applying_updates_events_in_place_never_duplicates_them_and_is_audited()
    {
        var (integration, _, refids) = await IngestedAsync(GatehouseClient.DefaultSite, TitleOnly,
            new { items = new[] { new { t = "a", title = "Credential dumping" }, new { t = "b", title = "Lateral movement" } } },
            new { items = new[] { new { t = "c", title = "Exfiltration" } } });
        var ids = (await EventsOfAsync(refids[0])).Select(e => e["id"]!.GetValue<long>()).ToList();
        await RemapAsync(integration, new { mainJsonPath = "$.items", fieldMappings = new[] { new { field = "Title", source = "$.title" } } });

        var job = await ApplyAsync(new { integration });

        Assert.Equal("Completed", job["status"]!.GetValue<string>());
        Assert.Equal(2, job["total"]!.GetValue<int>());
        Assert.Equal(2, job["changed"]!.GetValue<int>());
        var after = await EventsOfAsync(refids[0]);
        Assert.Equal(ids, after.Select(e => e["id"]!.GetValue<long>()).ToList());
        Assert.Equal(["Credential dumping", "Lateral movement"], after.Select(e => e["fields"]!["Title"]!.GetValue<string>()).ToList());
        Assert.All(after, e => Assert.NotNull(e["replayedAt"]));
        Assert.Equal(3, await ListedEventsAsync(integration));

        var again = await ApplyAsync(new { integration });
        Assert.Equal(2, again["unchanged"]!.GetValue<int>());
        Assert.Equal(3, await ListedEventsAsync(integration));
        var audit = await Admin.AuditAsync($"?action=ingestion.replay_started");
        Assert.Contains(audit, a => a!["target"]!.GetValue<string>() == job["id"]!.GetValue<string>());
        var finished = await Admin.AuditAsync($"?action=ingestion.replay_finished");
        Assert.Contains(finished, a => a!["target"]!.GetValue<string>() == job["id"]!.GetValue<string>() && a["reason"]!.GetValue<string>() == "Completed");
    }

    [Fact]
    public async Task An_item_whose_External_ID_now_repeats_another_is_superseded_by_that_event_and_leaves_the_lists()
    {
        var (integration, _, refids) = await IngestedAsync(GatehouseClient.DefaultSite,
            new { mainJsonPath = "$.items", fieldMappings = new[] { new { field = "Title", source = "$.t" }, new { field = "External ID", source = "$.id" } } },
            new { items = new[] { new { t = "alert 1", id = "x-1", group = "g-1" }, new { t = "alert 1 again", id = "x-2", group = "g-1" }, new { t = "other", id = "x-3", group = "g-2" } } });
        var before = await EventsOfAsync(refids[0]);
        await RemapAsync(integration, new { mainJsonPath = "$.items", fieldMappings = new[] { new { field = "Title", source = "$.t" }, new { field = "External ID", source = "$.group" } } });

        var preview = await DryRunAsync(new { integration });
        var diffs = preview["ingestions"]![0]!["events"]!.AsArray();
        var gone = diffs.Single(d => d!["change"]!.GetValue<string>() == "Disappear")!;
        Assert.Equal("event 1", gone["item"]!.GetValue<string>());
        Assert.Equal("event 0", gone["duplicateOfItem"]!.GetValue<string>());

        var job = await ApplyAsync(new { integration });

        Assert.Equal("Completed", job["status"]!.GetValue<string>());
        var superseded = await Admin.GetAsync($"/api/events/{before[1]["id"]}");
        Assert.Equal(before[0]["id"]!.GetValue<long>(), superseded["superseded"]!["by"]!.GetValue<long>());
        Assert.Equal(2, await ListedEventsAsync(integration));
        Assert.Equal("g-1", (await Admin.GetAsync($"/api/events/{before[0]["id"]}"))["fields"]!["External ID"]!.GetValue<string>());

        // Back to the old mapping: the superseded event is the item's event again, not a second one.
        await RemapAsync(integration, new { mainJsonPath = "$.items", fieldMappings = new[] { new { field = "Title", source = "$.t" }, new { field = "External ID", source = "$.id" } } });
        await ApplyAsync(new { integration });
        var revived = await Admin.GetAsync($"/api/events/{before[1]["id"]}");
        Assert.Null(revived["superseded"]);
        Assert.Equal("x-2", revived["fields"]!["External ID"]!.GetValue<string>());
        Assert.Equal(3, await ListedEventsAsync(integration));
        Assert.Equal(3, (await EventsOfAsync(refids[0])).Count);
    }

    [Fact]
    public async Task A_new_rule_changes_the_outcome_of_stored_events_but_never_a_status_someone_set_by_hand()
    {
        var site = await Admin.CreateSiteAsync();
        var (integration, _, refids) = await IngestedAsync(site, new { mainJsonPath = "$.items", fieldMappings = new[] { new { field = "Title", source = "$.t" } } },
            new { items = new[] { new { t = "scanner sweep" }, new { t = "scanner sweep" } } });
        var events = await EventsOfAsync(refids[0]);
        await Admin.Http.PostAsJsonAsync($"/api/events/{events[1]["id"]}/dismiss", new { reason = "looked at it" });
        await Admin.Http.PostAsJsonAsync($"/api/events/{events[1]["id"]}/reopen", new { });
        await Admin.PostAsync("/api/automation-rules", new
        {
            name = Unique.Name("Scanner"), type = "Dismissal", site,
            condition = new { field = "Title", @operator = "equals", value = "scanner sweep" },
            dismissal = new { reasonCode = "SCANNER", reason = "Scanner" },
        });
        await Admin.Http.PostAsJsonAsync($"/api/events/{events[1]["id"]}/dismiss", new { reason = "by hand" });

        var preview = await DryRunAsync(new { integration });
        var diffs = preview["ingestions"]![0]!["events"]!.AsArray().ToDictionary(d => d!["item"]!.GetValue<string>(), d => d!);
        Assert.Equal("New", diffs["event 0"]["statusFrom"]!.GetValue<string>());
        Assert.Equal("Dismissed", diffs["event 0"]["statusTo"]!.GetValue<string>());
        Assert.NotNull(diffs["event 0"]["ruleTo"]);

        await ApplyAsync(new { integration });

        var ruled = await Admin.GetAsync($"/api/events/{events[0]["id"]}");
        Assert.Equal("Dismissed", ruled["status"]!.GetValue<string>());
        Assert.Equal("SCANNER", ruled["dismissal"]!["reasonCode"]!.GetValue<string>());
        var byHand = await Admin.GetAsync($"/api/events/{events[1]["id"]}");
        Assert.True("by hand" == byHand["dismissal"]?["reason"]?.GetValue<string>(), byHand.ToJsonString() + preview.ToJsonString());
    }

    [Fact]
    public async Task A_quarantined_ingestion_is_replayed_into_its_events()
    {
        var (integration, _, refids) = await IngestedAsync(GatehouseClient.DefaultSite, TitleOnly, new { items = new[] { new { t = "poisoned once" } } });
        await QuarantineAsync(refids[0]);

        var preview = await DryRunAsync(new { integration, status = "Failed" });
        var appear = preview["ingestions"]![0]!["events"]!.AsArray().Single()!;
        Assert.Equal("Appear", appear["change"]!.GetValue<string>());
        var job = await ApplyAsync(new { integration, status = "Failed" });

        Assert.Equal(1, job["changed"]!.GetValue<int>());
        var ingestion = await Admin.GetAsync($"/api/ingestions/{refids[0]}");
        Assert.Equal("Processed", ingestion["status"]!.GetValue<string>());
        Assert.Equal("poisoned once", ingestion["events"]![0]!["fields"]!["Title"]!.GetValue<string>());
    }

    /// <summary>As the processor leaves a request that failed every attempt: Failed, no events, the reason in its log.</summary>
    private async Task QuarantineAsync(string refid)
    {
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDb>();
        await db.Events.Where(e => e.IngestionId == refid).ExecuteDeleteAsync();
        await db.Ingestions.Where(i => i.Id == refid).ExecuteUpdateAsync(s => s
            .SetProperty(i => i.Status, IngestionStatus.Failed).SetProperty(i => i.Attempts, 3)
            .SetProperty(i => i.LogJson, """{"errors":[{"item":"body","message":"Processing failed after 3 attempts: ScriptCrashedException."}]}"""));
    }

    [Fact]
    public async Task Incident_intake_updates_an_untouched_incident_in_place_with_history_and_keeps_an_edited_one()
    {
        var integration = await Admin.CreateIntegrationAsync(
            new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.name" } } },
            new { mainJsonPath = "$.incidents", eventsJsonPath = "$.alerts", fieldMappings = new[] { new { field = "Title", source = "$.title" } } });
        var view = await Admin.PostAsync("/api/keys", new { name = Unique.Name("Incidents"), module = "DataIngestion", site = GatehouseClient.DefaultSite, integration, intake = "Incident" });
        var key = (await Admin.GetAsync($"/api/keys/{view["id"]}/secret"))["headerValue"]!.GetValue<string>();
        var result = await Admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite, new
        {
            incidents = new object[]
            {
                new { title = "Ransomware", label = "Ransomware on FS-01", alerts = new[] { new { name = "Shadow copies deleted" } } },
                new { title = "Phishing", label = "Phishing wave", alerts = new[] { new { name = "Link clicked" } } },
            },
        }, key, "CreateIncidents");
        var incidents = result["incidents"]!.AsArray().Select(i => i!["id"]!.GetValue<long>()).ToList();
        var edited = await Admin.Http.PatchAsJsonAsync($"/api/incidents/{incidents[1]}", new { severity = "High" });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        await Admin.PutAsync($"/api/integrations/{Uri.EscapeDataString(integration)}", new
        {
            incidentIntake = new { mainJsonPath = "$.incidents", eventsJsonPath = "$.alerts", fieldMappings = new[] { new { field = "Title", source = "$.label" } } },
        });

        var preview = await DryRunAsync(new { integration });
        var diffs = preview["ingestions"]![0]!["incidents"]!.AsArray();
        Assert.Null(diffs.Single(d => d!["incident"]!.GetValue<long>() == incidents[0])!["kept"]);
        Assert.NotNull(diffs.Single(d => d!["incident"]!.GetValue<long>() == incidents[1])!["kept"]);
        await ApplyAsync(new { integration });

        Assert.Equal("Ransomware on FS-01", (await Admin.GetAsync($"/api/incidents/{incidents[0]}"))["Title"]?.GetValue<string>()
            ?? (await Admin.GetAsync($"/api/incidents/{incidents[0]}"))["title"]!.GetValue<string>());
        var history = (await Admin.GetAsync($"/api/incidents/{incidents[0]}/history")).ToJsonString();
        Assert.Contains("replayed", history);
        var kept = await Admin.GetAsync($"/api/incidents/{incidents[1]}");
        Assert.Equal("Phishing", (kept["Title"] ?? kept["title"])!.GetValue<string>());
        var after = await Admin.GetAsync($"/api/ingestions/{result["refid"]}");
        Assert.Equal(2, after["incidents"]!.AsArray().Count);
        Assert.Equal(2, after["events"]!.AsArray().Count);
    }


    private async Task<T> InDbAsync<T>(Func<GatehouseDb, Task<T>> work)
    {
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<GatehouseDb>());
    }

    [Fact]
    public async Task Regression_events_stored_before_items_were_recorded_are_matched_once_and_a_second_replay_makes_no_duplicate()
    {
        var (integration, _, refids) = await IngestedAsync(GatehouseClient.DefaultSite, TitleOnly,
            new { items = new object[] { new { t = "zero", x = "only-in-0" }, new { t = "one" } } });
        await InDbAsync(db => db.Events.Where(e => e.IngestionId == refids[0]).ExecuteUpdateAsync(s => s.SetProperty(e => e.ItemLabel, (string?)null)));
        await RemapAsync(integration, new { mainJsonPath = "$.items", fieldMappings = new[] { new { field = "Title", source = "$.t" }, new { field = "xx", source = "$.x" } } });

        await ApplyAsync(new { integration });
        var second = await DryRunAsync(new { integration });
        await ApplyAsync(new { integration });

        Assert.Equal("Unchanged", second["ingestions"]![0]!["outcome"]!.GetValue<string>());
        Assert.Equal(2, (await EventsOfAsync(refids[0])).Count);
        Assert.Equal(["event 0", "event 1"], (await EventsOfAsync(refids[0])).Select(e => e["item"]!.GetValue<string>()).ToList());
    }

    [Fact]
    public async Task Regression_an_analysts_reopen_or_own_dismissal_of_a_rule_dismissed_event_survives_a_new_rule_and_settles()
    {
        var site = await Admin.CreateSiteAsync();
        object Rule(string name, string value) => new
        {
            name = Unique.Name(name), type = "Dismissal", site,
            condition = new { field = "Title", @operator = "equals", value },
            dismissal = new { reasonCode = "RULE", reason = name },
        };
        var first = await Admin.PostAsync("/api/automation-rules", Rule("old", "noise"));
        var (integration, _, refids) = await IngestedAsync(site, TitleOnly, new { items = new[] { new { t = "noise" }, new { t = "noise" } } });
        var events = await EventsOfAsync(refids[0]);
        await Admin.Http.PostAsJsonAsync($"/api/events/{events[0]["id"]}/reopen", new { });
        await Admin.Http.PostAsJsonAsync($"/api/events/{events[1]["id"]}/dismiss", new { reasonCode = "FP", reason = "analyst: ticket 123" });
        await Admin.Http.DeleteAsync($"/api/automation-rules/{first["id"]}");
        await Admin.PostAsync("/api/automation-rules", Rule("new", "noise"));

        var job = await ApplyAsync(new { integration });
        var again = await ApplyAsync(new { integration });

        Assert.Equal("New", (await Admin.GetAsync($"/api/events/{events[0]["id"]}"))["status"]!.GetValue<string>());
        Assert.Equal("analyst: ticket 123", (await Admin.GetAsync($"/api/events/{events[1]["id"]}"))["dismissal"]!["reason"]!.GetValue<string>());
        Assert.Equal(1, job["unchanged"]!.GetValue<int>());
        Assert.Equal(1, again["unchanged"]!.GetValue<int>());
    }

    [Fact]
    public async Task Regression_techniques_set_by_hand_stay_exactly_as_set()
    {
        var integration = await Admin.CreateIntegrationAsync(TitleOnly);
        var key = await Admin.IntakeKeyAsync(integration, new { runMitreTtpSearch = true });
        var sent = await Admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite, new { items = new[] { new { t = "x", tags = new[] { "T1059.001" } } } }, key);
        var id = sent["events"]![0]!["id"]!.GetValue<long>();
        const string manual = """[{"techniqueId":"T1003","techniqueName":null,"tactics":[],"layer":"manual","confidence":"high","evidence":[]}]""";
        await InDbAsync(db => db.Events.Where(e => e.Id == id).ExecuteUpdateAsync(s => s.SetProperty(e => e.TechniquesJson, manual)));
        await RemapAsync(integration, new { mainJsonPath = "$.items", fieldMappings = new[] { new { field = "Title", source = "$.t" }, new { field = "Hostname", source = "$.t" } } });

        var preview = await DryRunAsync(new { integration });
        await ApplyAsync(new { integration });

        var change = preview["ingestions"]![0]!["events"]![0]!;
        Assert.Empty(change["techniquesAdded"]!.AsArray());
        var techniques = (await Admin.GetAsync($"/api/events/{id}"))["techniques"]!.AsArray();
        Assert.Equal(["T1003:manual"], techniques.Select(t => $"{t!["techniqueId"]}:{t["layer"]}").ToList());
    }

    [Fact]
    public async Task Regression_an_item_superseded_by_an_event_whose_External_ID_then_changed_stands_for_itself_after_one_job()
    {
        var mapping = (string source) => new { mainJsonPath = "$.items", fieldMappings = new[] { new { field = "Title", source = "$.t" }, new { field = "External ID", source } } };
        var (integration, _, refids) = await IngestedAsync(GatehouseClient.DefaultSite, mapping("$.id"),
            new { items = new[] { new { id = "x", alt = "y", t = "first" } } },
            new { items = new[] { new { id = "y", alt = "w", t = "second" } } });
        await RemapAsync(integration, mapping("$.alt"));

        await ApplyAsync(new { integration });

        var first = (await EventsOfAsync(refids[0])).Single();
        Assert.Null(first["superseded"]);
        Assert.Equal("y", first["fields"]!["External ID"]!.GetValue<string>());
        Assert.Equal("w", (await EventsOfAsync(refids[1])).Single()["fields"]!["External ID"]!.GetValue<string>());
        Assert.Equal(2, await ListedEventsAsync(integration));
    }

    [Fact]
    public async Task Regression_a_mapping_that_selects_nothing_or_a_failing_formatter_leaves_stored_events_alone()
    {
        var formatter = Unique.Name("Fails").Replace(' ', '_');
        await Admin.PostAsync("/api/commands", new { name = formatter, features = new[] { "DataFormatter" }, script = "function format(e) { return e; }" });
        var integration = await Admin.CreateIntegrationAsync(TitleOnly);
        var key = await Admin.IntakeKeyAsync(integration, new { dataFormatter = formatter });
        var refid = (await Admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite, new { items = new[] { new { t = "a" }, new { t = "b" } } }, key))["refid"]!.GetValue<string>();
        await Admin.PutAsync($"/api/commands/{formatter}", new { features = new[] { "DataFormatter" }, script = "function format(e) { if (e.t === 'b') throw new Error('boom'); return e; }" });

        var failing = await ApplyAsync(new { integration });
        Assert.Equal(2, await ListedEventsAsync(integration));

        await RemapAsync(integration, new { mainJsonPath = "$.none", fieldMappings = new[] { new { field = "Title", source = "$.t" } } });
        var preview = await DryRunAsync(new { integration });
        var nothing = await ApplyAsync(new { integration });

        Assert.All(preview["ingestions"]![0]!["events"]!.AsArray(), e => Assert.Contains("fail on it", e!["kept"]!.GetValue<string>()));
        Assert.Equal(2, await ListedEventsAsync(integration));
        Assert.All(await EventsOfAsync(refid), e => Assert.Null(e["superseded"]));
        Assert.Equal("Completed", failing["status"]!.GetValue<string>());
        Assert.Equal("Completed", nothing["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Regression_a_request_whose_key_was_deleted_is_left_as_it_is_and_said_why()
    {
        var integration = await Admin.CreateIntegrationAsync(TitleOnly);
        var view = await Admin.PostAsync("/api/keys", new { name = Unique.Name("Gone"), module = "DataIngestion", site = GatehouseClient.DefaultSite, integration, intake = "Event" });
        var key = (await Admin.GetAsync($"/api/keys/{view["id"]}/secret"))["headerValue"]!.GetValue<string>();
        await Admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite, new { items = new[] { new { t = "a" } } }, key);
        await Admin.Http.DeleteAsync($"/api/keys/{view["id"]}");

        var preview = await DryRunAsync(new { integration });
        var job = await ApplyAsync(new { integration });

        Assert.Equal("Failed", preview["ingestions"]![0]!["outcome"]!.GetValue<string>());
        Assert.Contains("was deleted", preview["ingestions"]![0]!["error"]!.GetValue<string>());
        Assert.Equal(1, job["failed"]!.GetValue<int>());
        Assert.Contains("was deleted", job["problems"]![0]!["problem"]!.GetValue<string>());
    }

    [Fact]
    public async Task Regression_jobs_asked_for_at_once_start_only_one()
    {
        // A node that does not process: the first job stays queued, so every other request races it.
        var store = await GatehouseStore.CreateOrSkipAsync(fixture.Provider);
        await using var factory = new GatehouseFactory(store, new() { ["Gatehouse:Intake:Process"] = "false" });
        var admin = await factory.AdminAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => admin.Http.PostAsJsonAsync("/api/ingestions/replay", new { dryRun = false })));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Accepted);
        Assert.Equal(7, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
    }

    [Theory]
    [InlineData("""{"filter":{"status":"Pending"}}""", "filter.status")]
    [InlineData("""{"filter":{"status":"2"}}""", "filter.status")]
    [InlineData("""{"filter":{"status":" Processed"}}""", "filter.status")]
    [InlineData("""{"filter":{"integration":"no such integration"}}""", "filter.integration")]
    [InlineData("""{"filter":{"site":"no such site"}}""", "filter.site")]
    [InlineData("""{"filter":{"key":0}}""", "filter.key")]
    [InlineData("""{"filter":{"from":"2026-01-02T00:00:00Z","to":"2026-01-01T00:00:00Z"}}""", "filter.from")]
    [InlineData("""{"limit":1000}""", "limit")]
    [InlineData("""{"runPlaybooks":true}""", "runPlaybooks")]
    [InlineData("""{"filter":{"sites":"x"}}""", null)]
    [InlineData("""{"dryRunNow":false}""", null)]
    public async Task A_bad_replay_request_is_a_400_naming_the_member(string body, string? member)
    {
        var response = await Admin.Http.PostAsync("/api/ingestions/replay", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var problem = await GatehouseClient.Problem(response, HttpStatusCode.BadRequest);
        if (member is not null)
        {
            Assert.Equal(member, problem["member"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_second_job_waits_for_the_first_and_a_queued_job_can_be_cancelled()
    {
        var (integration, _, _) = await IngestedAsync(GatehouseClient.DefaultSite, TitleOnly, new { items = new[] { new { t = "x" } } });
        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<GatehouseDb>();
            db.ReplayJobs.Add(new ReplayJob { Id = Guid.NewGuid().ToString("N"), FilterJson = "{}", CreatedBy = "test", CreatedAt = DateTimeOffset.UtcNow.AddDays(1), Status = ReplayJobStatus.Running, LeaseExpiresAt = DateTimeOffset.UtcNow.AddHours(1), ClaimedBy = "elsewhere" });
            await db.SaveChangesAsync();
        }
        var refused = await Admin.Http.PostAsJsonAsync("/api/ingestions/replay", new { filter = new { integration }, dryRun = false });
        await GatehouseClient.Problem(refused, HttpStatusCode.Conflict, "replay_running");
        var jobs = (await Admin.GetAsync("/api/ingestions/replay/jobs"))["items"]!.AsArray();
        var running = jobs.First(j => j!["createdBy"]!.GetValue<string>() == "test")!["id"]!.GetValue<string>();

        var cancelled = await Admin.PostAsync($"/api/ingestions/replay/jobs/{running}/cancel", new { }, HttpStatusCode.OK);
        Assert.True(cancelled["cancelRequested"]!.GetValue<bool>());
        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            // The node holding it "died": another node takes the job over and ends it as cancelled.
            var db = scope.ServiceProvider.GetRequiredService<GatehouseDb>();
            await db.ReplayJobs.Where(j => j.Id == running).ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseExpiresAt, DateTimeOffset.UtcNow.AddMinutes(-1)));
        }
        Assert.Equal("Cancelled", (await FinishedAsync(running))["status"]!.GetValue<string>());
        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync($"/api/ingestions/replay/jobs/{running}/cancel", new { }), HttpStatusCode.Conflict, "replay_finished");
        Assert.Contains(await Admin.AuditAsync("?action=ingestion.replay_cancelled"), a => a!["target"]!.GetValue<string>() == running);
        await GatehouseClient.Problem(await Admin.Http.GetAsync("/api/ingestions/replay/jobs/nope"), HttpStatusCode.NotFound);
    }
}

public sealed class ReplayTestsOnSqlite(SqliteFixture fixture) : ReplayTests(fixture), IClassFixture<SqliteFixture>;

public sealed class ReplayTestsOnPostgres(PostgresFixture fixture) : ReplayTests(fixture), IClassFixture<PostgresFixture>;
