using System.Text.Json.Nodes;
using Gatehouse.Core.Attack;
using Gatehouse.Core.Auth;
using Gatehouse.Core.Intake;
using Gatehouse.Core.Playbooks;
using Gatehouse.Core.Rules;

namespace Gatehouse.Core.Tests.Intake;

/// <summary>The intake pipeline's decisions, without HTTP or a database: what a batch of stored requests becomes.</summary>
public sealed class IngestionPlannerTests
{
    private const int Kibana = 7;
    private const int Soc = 1;

    private static readonly CompiledIntake Events = CompiledIntake.CompileValid(new IntakeDefinition("$.alerts[*]",
    [
        new("Title", "$.name"), new("Severity", "$.severity"), new("Source IP", "$.src"), new("External ID", "$.id"), new("rule_group", "$.group"),
    ]), FieldCatalog.Event);

    private static readonly CompiledIntake Incidents = CompiledIntake.CompileValid(new IntakeDefinition("$.cases[*]",
        [new("Title", "$.title"), new("Severity", "$.sev"), new("Incident Type", "$.type"), new("External ID", "$.case")], "$.alerts[*]"), FieldCatalog.Incident);

    private static readonly Dictionary<string, PlaybookRef> Playbooks = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Enrich"] = new("Enrich", PlaybookKind.Event),
        ["Contain"] = new("Contain", PlaybookKind.Incident),
    };

    private static IngestionInput Request(string refid, string body, IngestionSettings? settings = null, IntakeKind intake = IntakeKind.Event, bool withIncidentIntake = true) =>
        new(refid, intake, Kibana, "Kibana", Soc, JsonNode.Parse(body), Events, withIncidentIntake ? Incidents : null, settings ?? IngestionSettings.None);

    private static PlanningContext Context(IReadOnlyDictionary<ExternalKey, long>? known = null)
    {
        var runs = 0;
        return new(DateTimeOffset.UnixEpoch, AttackCatalog.Empty, null, known ?? new Dictionary<ExternalKey, long>(),
            name => Playbooks.GetValueOrDefault(name), () => $"run-{++runs}");
    }

    private static IngestionDraft Draft(IngestionInput input, Func<SelectedItem, FormatOutcome>? formatter = null)
    {
        var selection = IngestionPlanner.Select(input);
        return IngestionPlanner.Draft(selection, formatter is null ? null : selection.ItemsToFormat.ToDictionary(i => i.Label, formatter));
    }

    private static BatchPlan Plan(params IngestionInput[] inputs) => IngestionPlanner.Plan(inputs.Select(i => Draft(i)).ToList(), Context());

    private static CompiledRule Rule(int id, string name, RuleType type, string condition, DismissalAction? dismissal = null, EscalationAction? escalation = null)
    {
        var errors = new List<string>();
        var rule = CompiledRule.Compile(id, name, type, JsonNode.Parse(condition), dismissal, escalation, errors);
        Assert.Empty(errors);
        return rule!;
    }

    [Fact]
    public void Each_selected_event_is_mapped_and_logged_with_its_raw_data_and_output()
    {
        var plan = Plan(Request("r1", """{"alerts":[{"name":"Brute force","severity":"high","src":"203.0.113.9","group":"auth"},{"name":"Scan"}]}"""));

        Assert.Equal(2, plan.Events.Count);
        var first = plan.Events[0];
        Assert.Equal(("r1", Kibana, Soc), (first.Refid, first.IntegrationId, first.SiteId));
        Assert.Equal("Brute force", first.Fields["Title"]);
        Assert.Equal("203.0.113.9", first.Fields["Source IP"]);
        Assert.Equal("auth", first.Fields.Custom["rule_group"]!.GetValue<string>());
        Assert.Equal(PlannedStatus.New, first.Status);
        var (refid, log) = Assert.Single(plan.Logs);
        Assert.Equal("r1", refid);
        Assert.Equal(2, log.RawData.Count);
        Assert.Equal("Scan", log.Output[1]!["fields"]!["Title"]!.GetValue<string>());
        Assert.All(log.Steps, s => Assert.True(s!["created"]!.GetValue<bool>()));
        Assert.Empty(log.Errors);
    }

    [Fact]
    public void A_main_path_that_selects_nothing_or_a_non_object_is_an_error_of_the_request_not_an_event()
    {
        var plan = Plan(Request("empty", """{"other":1}"""), Request("mixed", """{"alerts":[1,{"name":"ok"}]}"""));

        Assert.Single(plan.Events);
        Assert.Contains("selected nothing", plan.Logs[0].Log.Errors.Single().Message);
        Assert.Equal("event 0", plan.Logs[1].Log.Errors.Single().Item);
    }

    [Fact]
    public void The_formatter_reshapes_drops_or_fails_each_event_on_its_own()
    {
        var input = Request("r1", """{"alerts":[{"name":"keep"},{"name":"drop"},{"name":"boom"}]}""", new IngestionSettings(Formatter: "Normalize"));
        var draft = Draft(input, item => item.Raw["name"]!.GetValue<string>() switch
        {
            "keep" => FormatOutcome.Kept(new JsonObject { ["name"] = "kept and renamed", ["id"] = "x-1" }),
            "drop" => FormatOutcome.Dropped,
            _ => FormatOutcome.Failed("The formatter 'Normalize' failed: TypeError"),
        });

        var plan = IngestionPlanner.Plan([draft], Context());

        var created = Assert.Single(plan.Events);
        Assert.Equal("kept and renamed", created.Fields["Title"]);
        Assert.Equal("x-1", created.Fields["External ID"]);
        var log = plan.Logs[0].Log;
        Assert.Equal("Normalize", log.Formatter);
        Assert.Equal(["event 1"], log.Dropped);
        Assert.Equal(("event 2", "The formatter 'Normalize' failed: TypeError"), (log.Errors.Single().Item, log.Errors.Single().Message));
        Assert.Equal(["applied", "dropped", "failed"], log.Steps.Select(s => s!["formatter"]!.GetValue<string>()));
        Assert.Single(log.Output);
        Assert.Equal(3, log.RawData.Count);
    }

    [Fact]
    public void An_event_whose_External_ID_is_stored_links_to_that_event()
    {
        var input = Request("r2", """{"alerts":[{"name":"again","id":"A-1"},{"name":"new","id":"A-2"}]}""");
        var draft = Draft(input);
        Assert.Equal([new ExternalKey(Kibana, Soc, "A-1"), new ExternalKey(Kibana, Soc, "A-2")], draft.ExternalIds);

        var plan = IngestionPlanner.Plan([draft], Context(new Dictionary<ExternalKey, long> { [new(Kibana, Soc, "A-1")] = 41, [new(Kibana, 2, "A-2")] = 99 }));

        Assert.Equal("new", Assert.Single(plan.Events).Fields["Title"]);
        var duplicate = Assert.Single(plan.Logs[0].Log.Deduplicated);
        Assert.Equal(new DeduplicatedEvent("event 0", "A-1", 41, null), duplicate);
        Assert.Equal("event 41", plan.Logs[0].Log.Steps[0]!["deduplicated"]!.GetValue<string>());
        Assert.Equal(1, plan.Deduplicated);
    }

    [Fact]
    public void Duplicates_within_a_request_and_across_the_requests_of_a_batch_are_created_once()
    {
        var plan = Plan(
            Request("first", """{"alerts":[{"name":"a","id":"D-1"},{"name":"a again","id":"D-1"}]}"""),
            Request("second", """{"alerts":[{"name":"a later","id":"D-1"},{"name":"no id"},{"name":"no id"}]}"""));

        Assert.Equal(["a", "no id", "no id"], plan.Events.Select(e => e.Fields["Title"]));
        Assert.Equal(new DeduplicatedEvent("event 1", "D-1", null, "event 0"), plan.Logs[0].Log.Deduplicated.Single());
        Assert.Equal(new DeduplicatedEvent("event 0", "D-1", null, "event 0"), plan.Logs[1].Log.Deduplicated.Single());
        Assert.Equal(2, plan.Deduplicated);
    }

    [Fact]
    public void The_same_External_ID_on_another_site_is_another_event()
    {
        var other = Request("other", """{"alerts":[{"name":"a","id":"S-1"}]}""") with { SiteId = 2 };

        var plan = Plan(Request("soc", """{"alerts":[{"name":"a","id":"S-1"}]}"""), other);

        Assert.Equal([Soc, 2], plan.Events.Select(e => e.SiteId));
    }

    [Fact]
    public void Incident_intake_creates_each_incident_with_its_events_linked_once()
    {
        var body = """
            {"cases":[
              {"case":"C-1","title":"Ransomware","sev":"crit","type":"Malware","alerts":[{"name":"enc","id":"E-1"},{"name":"enc dup","id":"E-1"},{"name":"stored","id":"E-0"}]},
              {"case":"C-2","title":"Odd","sev":"whatever"}
            ]}
            """;
        var draft = Draft(Request("inc", body, intake: IntakeKind.Incident));

        var plan = IngestionPlanner.Plan([draft], Context(new Dictionary<ExternalKey, long> { [new(Kibana, Soc, "E-0")] = 5 }));

        Assert.Equal(2, plan.Incidents.Count);
        var ransomware = plan.Incidents[0];
        Assert.Equal(("Ransomware", "Critical", "Malware", "C-1"), (ransomware.Title, ransomware.Severity, ransomware.IncidentType, ransomware.ExternalId));
        Assert.Equal([new EventRef(0, null), new EventRef(null, 5)], ransomware.Events);
        Assert.Single(plan.Events);
        Assert.Equal("Medium", plan.Incidents[1].Severity);
        Assert.Equal("General", plan.Incidents[1].IncidentType);
        var log = plan.Logs[0].Log;
        Assert.Contains("Severity 'whatever' is not one of", log.Errors.Single().Message);
        Assert.Equal(3, log.Output[0]!["events"]!.AsArray().Count);
        Assert.Equal(2, log.RawData.Count);
    }

    [Fact]
    public void Incident_intake_without_an_incident_definition_is_an_error_and_creates_nothing()
    {
        var plan = Plan(Request("inc", """{"cases":[{"title":"x"}]}""", intake: IntakeKind.Incident, withIncidentIntake: false));

        Assert.Empty(plan.Incidents);
        Assert.Contains("has no incident intake definition", plan.Logs[0].Log.Errors.Single().Message);
    }

    [Fact]
    public void The_first_matching_rule_dismisses_or_escalates_and_its_playbook_is_queued()
    {
        var rules = new[]
        {
            Rule(1, "Scanner noise", RuleType.Dismissal, """{"field":"Source IP","operator":"cidr","value":"10.0.0.0/8"}""", new DismissalAction("FP", "internal scanner")),
            Rule(2, "High", RuleType.Escalation, """{"field":"Severity","operator":"equals","value":"high"}""",
                escalation: new EscalationAction("Intrusion", "{{Title}} from {{Source IP}}", null, null, "tier2", "Contain")),
        };
        var plan = Plan(Request("r", """{"alerts":[{"name":"scan","src":"10.1.1.1"},{"name":"shell","severity":"high","src":"203.0.113.7"},{"name":"quiet"}]}""",
            new IngestionSettings(Rules: rules)));

        Assert.Equal([PlannedStatus.Dismissed, PlannedStatus.Escalated, PlannedStatus.New], plan.Events.Select(e => e.Status));
        Assert.Equal(new DismissalAction("FP", "internal scanner"), plan.Events[0].Dismissal);
        Assert.Equal("Scanner noise", plan.Events[0].Automation!["ruleName"]!.GetValue<string>());
        var incident = Assert.Single(plan.Incidents);
        Assert.Equal(("shell from 203.0.113.7", "High", "tier2"), (incident.Title, incident.Severity, incident.Owner));
        Assert.Equal([new EventRef(1, null)], incident.Events);
        var run = Assert.Single(plan.Runs);
        Assert.Equal(("Contain", PlaybookKind.Incident, (int?)0, (int?)null), (run.Playbook, run.Kind, run.Incident, run.Event));
        var steps = plan.Logs[0].Log.Steps;
        Assert.Equal(["Scanner noise", "High", "no rule matched"], steps.Select(s => s!["rule"]!.GetValue<string>()));
        Assert.Equal(run.Id, steps[1]!["escalationPlaybookRun"]!.GetValue<string>());
    }

    [Fact]
    public void Rules_do_not_apply_to_incident_intake()
    {
        var rules = new[] { Rule(1, "Everything", RuleType.Dismissal, """{"field":"Title","operator":"exists"}""") };

        var plan = Plan(Request("inc", """{"cases":[{"title":"t","alerts":[{"name":"e"}]}]}""", new IngestionSettings(Rules: rules), IntakeKind.Incident));

        Assert.Equal(PlannedStatus.New, Assert.Single(plan.Events).Status);
        Assert.Null(plan.Logs[0].Log.Steps[0]!["rule"]);
    }

    [Fact]
    public void An_escalation_naming_a_missing_or_event_playbook_escalates_without_a_run_and_says_why()
    {
        var rules = new[]
        {
            Rule(1, "Wrong kind", RuleType.Escalation, """{"field":"Title","operator":"equals","value":"a"}""", escalation: new EscalationAction("X", null, null, null, null, "Enrich")),
            Rule(2, "Missing", RuleType.Escalation, """{"field":"Title","operator":"equals","value":"b"}""", escalation: new EscalationAction("X", null, null, null, null, "Gone")),
        };

        var plan = Plan(Request("r", """{"alerts":[{"name":"a"},{"name":"b"}]}""", new IngestionSettings(Rules: rules)));

        Assert.Equal(2, plan.Incidents.Count);
        Assert.Empty(plan.Runs);
        var steps = plan.Logs[0].Log.Steps;
        Assert.Equal("not started: 'Enrich' is an Event playbook, not an Incident playbook", steps[0]!["escalationPlaybookRun"]!.GetValue<string>());
        Assert.Equal("not started: there is no playbook 'Gone'", steps[1]!["escalationPlaybookRun"]!.GetValue<string>());
        Assert.Equal(2, plan.NotStarted.Count);
    }

    [Fact]
    public void The_keys_event_playbook_starts_on_each_new_event_but_not_on_a_duplicate()
    {
        var plan = Plan(Request("r", """{"alerts":[{"name":"a","id":"P-1"},{"name":"a","id":"P-1"}]}""", new IngestionSettings(Playbook: "enrich")));

        var run = Assert.Single(plan.Runs);
        Assert.Equal(("Enrich", (int?)0, "event intake r"), (run.Playbook, run.Event, run.Trigger));
        Assert.Equal(run.Id, plan.Logs[0].Log.Steps[0]!["playbookRun"]!.GetValue<string>());
        Assert.Null(plan.Logs[0].Log.Steps[1]!["playbookRun"]);
    }

    [Fact]
    public void The_keys_incident_playbook_starts_on_each_incident_of_incident_intake()
    {
        var plan = Plan(Request("i", """{"cases":[{"title":"one"},{"title":"two"}]}""", new IngestionSettings(Playbook: "Contain"), IntakeKind.Incident));

        Assert.Equal([(int?)0, 1], plan.Runs.Select(r => r.Incident));
        Assert.Equal(plan.Runs[1].Id, plan.Logs[0].Log.Output[1]!["playbookRun"]!.GetValue<string>());
    }

    [Fact]
    public void A_key_playbook_that_no_longer_exists_is_the_first_error_and_nothing_starts()
    {
        var plan = Plan(Request("r", """{"other":true}""", new IngestionSettings(Playbook: "Deleted")));

        Assert.Empty(plan.Runs);
        Assert.Equal(["key", "body"], plan.Logs[0].Log.Errors.Select(e => e.Item));
    }

    [Fact]
    public void TTP_search_runs_on_new_events_only_when_the_key_asks_for_it()
    {
        var body = """{"alerts":[{"name":"T1059.001 seen","id":"T-1"},{"name":"again","id":"T-1"}]}""";

        var off = Plan(Request("off", body));
        var on = Plan(Request("on", body, new IngestionSettings(RunTtpSearch: true)));

        Assert.Null(off.Events[0].Techniques);
        Assert.Equal("T1059.001", Assert.Single(on.Events).Techniques!.Single().TechniqueId);
        Assert.Equal(["T1059.001"], on.Logs[0].Log.Steps[0]!["techniques"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(1, on.Techniques);
    }

    [Fact]
    public void Planning_the_same_drafts_twice_gives_the_same_plan()
    {
        var drafts = new[] { Draft(Request("r", """{"alerts":[{"name":"a","id":"Q-1"},{"name":"b","id":"Q-1"}]}""")) };

        var first = IngestionPlanner.Plan(drafts, Context());
        var second = IngestionPlanner.Plan(drafts, Context());

        Assert.Equal(first.Logs[0].Log.Steps.ToJsonString(), second.Logs[0].Log.Steps.ToJsonString());
        Assert.Equal(first.Events.Count, second.Events.Count);
    }
}
