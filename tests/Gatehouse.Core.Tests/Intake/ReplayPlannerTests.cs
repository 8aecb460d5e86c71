using System.Text.Json.Nodes;
using Gatehouse.Core.Intake;

namespace Gatehouse.Core.Tests.Intake;

public sealed class ReplayPlannerTests
{
    private static MappedFields Fields(params (string Name, string Value)[] values)
    {
        var fields = new MappedFields();
        foreach (var (name, value) in values)
        {
            fields.Standard[name] = value;
        }
        return fields;
    }

    private static PlannedEvent Planned(string label, MappedFields fields, PlannedStatus status = PlannedStatus.New, string? rule = null) => new()
    {
        Refid = "r", Label = label, IntegrationId = 1, SiteId = 1, Raw = [], Fields = fields, Status = status,
        Automation = rule is null ? null : new JsonObject { ["ruleId"] = 1, ["ruleName"] = rule, ["type"] = status == PlannedStatus.Escalated ? "Escalation" : "Dismissal" },
    };

    private static StoredEvent Stored(long id, string label, Dictionary<string, string> fields, PlannedStatus status = PlannedStatus.New,
        string? rule = null, bool byAutomation = true, bool superseded = false) =>
        new(id, label, fields, [], [], status, rule, byAutomation, superseded);

    private static BatchPlan Plan(IngestionLog? log = null, params PlannedEvent[] events)
    {
        var plan = new BatchPlan();
        plan.Events.AddRange(events);
        plan.Logs.Add(("r", log ?? new IngestionLog()));
        return plan;
    }

    [Fact]
    public void An_event_the_definitions_make_the_same_way_is_counted_unchanged_and_listed_nowhere()
    {
        var outcome = ReplayPlanner.Compare([Stored(7, "event 0", new() { ["Title"] = "a" })], [], Plan(null, Planned("event 0", Fields(("Title", "a")))));

        Assert.Empty(outcome.Events);
        Assert.Equal(1, outcome.Unchanged);
        Assert.False(outcome.Changed);
        Assert.Equal(7, outcome.StoredByPlanned[0]);
    }

    [Fact]
    public void A_mapping_change_is_shown_field_by_field_on_the_stored_event()
    {
        var outcome = ReplayPlanner.Compare([Stored(7, "event 0", new() { ["Title"] = "a", ["Hostname"] = "h" })], [],
            Plan(null, Planned("event 0", Fields(("Title", "b"), ("Source IP", "10.0.0.1")))));

        var diff = Assert.Single(outcome.Events);
        Assert.Equal((ReplayChange.Change, 7L), (diff.Change, diff.Event!.Value));
        Assert.Equal(["Hostname: h → ", "Source IP:  → 10.0.0.1", "Title: a → b"],
            diff.Fields.Select(f => $"{f.Field}: {f.From?.GetValue<string>()} → {f.To?.GetValue<string>()}").ToList());
    }

    [Fact]
    public void Items_that_go_say_why_and_which_event_stands_for_them_and_new_items_appear()
    {
        var log = new IngestionLog { Dropped = ["event 1"] };
        log.Deduplicated.Add(new DeduplicatedEvent("event 2", "x", 99, null));
        var outcome = ReplayPlanner.Compare(
            [Stored(1, "event 0", new()), Stored(2, "event 1", new()), Stored(3, "event 2", new()), Stored(4, "event 3", new(), superseded: true)],
            [], Plan(log, Planned("event 0", Fields()), Planned("event 4", Fields(("Title", "new")))));

        var byItem = outcome.Events.ToDictionary(e => e.Item);
        Assert.Equal(ReplayChange.Appear, byItem["event 4"].Change);
        Assert.Equal("The data formatter drops it now.", byItem["event 1"].Reason);
        Assert.Equal(99, byItem["event 2"].DuplicateOf);
        Assert.False(byItem.ContainsKey("event 3"));
        Assert.True(outcome.Changed);
    }

    [Fact]
    public void A_superseded_event_whose_item_is_made_again_is_revived_not_made_twice()
    {
        var outcome = ReplayPlanner.Compare([Stored(5, "event 0", new() { ["Title"] = "a" }, superseded: true)], [],
            Plan(null, Planned("event 0", Fields(("Title", "a")))));

        var diff = Assert.Single(outcome.Events);
        Assert.True(diff.Revived);
        Assert.Equal(5, diff.Event);
    }

    [Fact]
    public void A_new_rule_decides_again_where_automation_decided_before()
    {
        var outcome = ReplayPlanner.Compare([Stored(1, "event 0", new())], [], Plan(null, Planned("event 0", Fields(), PlannedStatus.Dismissed, "Scanner")));

        var diff = Assert.Single(outcome.Events);
        Assert.Equal((PlannedStatus.Dismissed, "Scanner", true), (diff.StatusTo!.Value, diff.RuleTo, diff.Redecide));
        Assert.Null(diff.Kept);
    }

    [Theory]
    [InlineData(PlannedStatus.Dismissed, false)]
    [InlineData(PlannedStatus.New, false)]
    [InlineData(PlannedStatus.Escalated, true)]
    public void A_status_a_person_or_an_escalation_owns_is_not_decided_again_and_counts_as_unchanged(PlannedStatus stored, bool byAutomation)
    {
        var outcome = ReplayPlanner.Compare([Stored(1, "event 0", new(), stored, byAutomation: byAutomation)], [],
            Plan(null, Planned("event 0", Fields(), PlannedStatus.Dismissed, "Scanner")));

        Assert.Empty(outcome.Events);
        Assert.Equal(1, outcome.Unchanged);
    }

    [Fact]
    public void A_person_owned_event_whose_fields_change_says_its_status_stays()
    {
        var outcome = ReplayPlanner.Compare([Stored(1, "event 0", new() { ["Title"] = "a" }, PlannedStatus.Dismissed, byAutomation: false)], [],
            Plan(null, Planned("event 0", Fields(("Title", "b")), PlannedStatus.New)));

        var diff = Assert.Single(outcome.Events);
        Assert.Equal(PlannedStatus.Dismissed, diff.StatusTo);
        Assert.False(diff.Redecide);
        Assert.Contains("by hand", diff.Kept);
    }

    [Fact]
    public void An_item_the_definitions_now_fail_on_keeps_its_event_and_an_escalated_one_is_never_superseded()
    {
        var log = new IngestionLog();
        log.Errors.Add(new ExtractionError("event 0", "The formatter 'F' failed: boom"));
        var outcome = ReplayPlanner.Compare(
            [Stored(1, "event 0", new()), Stored(2, "event 1", new(), PlannedStatus.Escalated, "Esc")], [], Plan(log));

        Assert.All(outcome.Events, e => Assert.Equal(ReplayChange.Disappear, e.Change));
        Assert.Contains("fail on it", outcome.Events.Single(e => e.Event == 1).Kept);
        Assert.Contains("escalated", outcome.Events.Single(e => e.Event == 2).Kept);
        Assert.False(outcome.Changed);
    }

    [Fact]
    public void An_escalation_makes_an_incident_only_for_an_event_that_was_not_escalated_already()
    {
        PlannedIncident Escalation(int eventIndex)
        {
            var incident = new PlannedIncident
            {
                Refid = "r", IntegrationId = 1, SiteId = 1, IncidentType = "x", Title = "t", Severity = "High", Creator = "rule", Custom = [], Raw = [],
            };
            incident.Events.Add(new EventRef(eventIndex, null));
            return incident;
        }
        var plan = Plan(null, Planned("event 0", Fields(), PlannedStatus.Escalated, "Esc"), Planned("event 1", Fields(), PlannedStatus.Escalated, "Esc"));
        plan.Incidents.Add(Escalation(0));
        plan.Incidents.Add(Escalation(1));

        var outcome = ReplayPlanner.Compare(
            [Stored(1, "event 0", new(), PlannedStatus.Escalated, "Esc"), Stored(2, "event 1", new())], [], plan);

        Assert.Equal([1], outcome.Escalations);
    }

    [Fact]
    public void An_incident_someone_edited_is_reported_but_kept_and_a_vanished_one_stays()
    {
        var plan = Plan();
        plan.Incidents.Add(new PlannedIncident
        {
            Refid = "r", Label = "incident 0", IntegrationId = 1, SiteId = 1, IncidentType = "General", Title = "New title", Severity = "Medium", Creator = "i", Custom = [], Raw = [],
        });
        var fields = new Dictionary<string, string?> { ["IncidentType"] = "General", ["Title"] = "Old title", ["Severity"] = "Medium" };

        var outcome = ReplayPlanner.Compare([], [new StoredIncident(10, "incident 0", fields, [], Untouched: false), new StoredIncident(11, "incident 1", fields, [], true)], plan);

        var changed = outcome.Incidents.Single(i => i.Incident == 10);
        Assert.Equal("Title", Assert.Single(changed.Fields).Field);
        Assert.NotNull(changed.Kept);
        Assert.Equal(ReplayChange.Disappear, outcome.Incidents.Single(i => i.Incident == 11).Change);
        Assert.False(outcome.Changed);
    }
}
