using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Gatehouse.Core.Intake;

/// <summary>An event a stored request made, as stored now: what a replay compares with what the current definitions make.</summary>
public sealed record StoredEvent(
    long Id,
    string Label,
    IReadOnlyDictionary<string, string> Fields,
    JsonObject Custom,
    IReadOnlyCollection<string> Techniques,
    PlannedStatus Status,
    string? Rule,
    bool StatusSetByAutomation,
    bool Superseded,
    bool TechniquesByPerson = false);

/// <summary>An incident a stored request's incident intake made; <see cref="Untouched"/> when nobody has changed it since.</summary>
public sealed record StoredIncident(long Id, string Label, IReadOnlyDictionary<string, string?> Fields, JsonObject Custom, bool Untouched);

public enum ReplayChange { Appear, Disappear, Change }

public sealed record FieldChange(string Field, JsonNode? From, JsonNode? To);

/// <summary>
/// What replaying does to one event: a new one (<see cref="Planned"/>), a stored one that goes (<see cref="Event"/>,
/// superseded, with the event it now duplicates when it does), or a stored one updated in place. <see cref="Kept"/> says
/// which part is only reported, and why (a person's decision, an escalation, a definition that fails on the item);
/// <see cref="Redecide"/> is whether the status and the rule that decided are written.
/// </summary>
public sealed record EventDiff(
    ReplayChange Change,
    string Item,
    long? Event,
    [property: JsonIgnore] int? Planned,
    IReadOnlyList<FieldChange> Fields,
    IReadOnlyList<string> TechniquesAdded,
    IReadOnlyList<string> TechniquesRemoved,
    string? RuleFrom,
    string? RuleTo,
    PlannedStatus? StatusFrom,
    PlannedStatus? StatusTo,
    string? Kept,
    string? Reason,
    long? DuplicateOf,
    string? DuplicateOfItem,
    bool Revived,
    [property: JsonIgnore] bool Redecide = false);

/// <summary>What replaying does to one incident of incident intake; <see cref="Kept"/> says why a change is only reported.</summary>
public sealed record IncidentDiff(ReplayChange Change, string Item, long? Incident, [property: JsonIgnore] int? Planned, IReadOnlyList<FieldChange> Fields, string? Kept);

/// <summary>One request replayed: what changes, what stays, and the plan's indexes the host writes from.</summary>
public sealed record ReplayOutcome(
    IReadOnlyList<EventDiff> Events,
    IReadOnlyList<IncidentDiff> Incidents,
    int Unchanged,
    IReadOnlyList<int> Escalations,
    IReadOnlyDictionary<int, long> StoredByPlanned,
    IReadOnlyDictionary<int, long> IncidentsByPlanned,
    IReadOnlyList<ExtractionError> Errors)
{
    public bool Changed => Events.Any(e => e.Change != ReplayChange.Disappear || e.Kept is null) || Escalations.Count > 0 || Incidents.Any(i => i.Kept is null);
}

/// <summary>
/// Replay as pure decisions: the plan the current definitions make for a stored request, set against
/// what that request made when it was processed. Items are matched by their label (<c>event 2</c>); a
/// matched event is updated in place, so replaying never makes an event twice.
/// </summary>
public static class ReplayPlanner
{
    public static ReplayOutcome Compare(IReadOnlyList<StoredEvent> storedEvents, IReadOnlyList<StoredIncident> storedIncidents, BatchPlan plan)
    {
        var log = plan.Logs.Single().Log;
        var stored = storedEvents.GroupBy(e => e.Label, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.OrderBy(e => e.Id).First(), StringComparer.Ordinal);
        var diffs = new List<EventDiff>();
        var storedByPlanned = new Dictionary<int, long>();
        var finalStatus = new Dictionary<int, PlannedStatus>();
        var unchanged = 0;
        for (var index = 0; index < plan.Events.Count; index++)
        {
            var planned = plan.Events[index];
            if (!stored.TryGetValue(planned.Label, out var old))
            {
                finalStatus[index] = planned.Status;
                diffs.Add(Appear(planned, index));
                continue;
            }
            storedByPlanned[index] = old.Id;
            var diff = Compare(old, planned, index);
            finalStatus[index] = diff.StatusTo ?? old.Status;
            if (diff.Fields.Count == 0 && diff.TechniquesAdded.Count == 0 && diff.TechniquesRemoved.Count == 0 && !diff.Redecide && !diff.Revived)
            {
                unchanged++;
            }
            else
            {
                diffs.Add(diff);
            }
        }
        var plannedLabels = plan.Events.Select(e => e.Label).ToHashSet(StringComparer.Ordinal);
        foreach (var old in stored.Values.Where(e => !plannedLabels.Contains(e.Label) && !e.Superseded).OrderBy(e => e.Id))
        {
            var duplicate = log.Deduplicated.FirstOrDefault(d => d.Item == old.Label);
            diffs.Add(new EventDiff(ReplayChange.Disappear, old.Label, old.Id, null, [], [], [], old.Rule, null, old.Status, null,
                WhyKept(old, log, duplicate), WhyGone(old.Label, log), duplicate?.EventId, duplicate?.SameAsItem, false));
        }
        // A rule that escalates makes an incident only for an event that was not escalated before, and whose status the replay sets.
        var escalations = plan.Incidents.Select((incident, index) => (incident, index))
            .Where(x => x.incident.Label is null && x.incident.Events is [{ Planned: { } e }]
                && finalStatus.GetValueOrDefault(e) == PlannedStatus.Escalated
                && !(storedByPlanned.TryGetValue(e, out var id) && storedEvents.First(s => s.Id == id).Status == PlannedStatus.Escalated))
            .Select(x => x.index).ToList();
        var incidentsByPlanned = new Dictionary<int, long>();
        return new ReplayOutcome(diffs, CompareIncidents(storedIncidents, plan, incidentsByPlanned), unchanged, escalations, storedByPlanned, incidentsByPlanned, log.Errors);
    }

    private static EventDiff Appear(PlannedEvent planned, int index) =>
        new(ReplayChange.Appear, planned.Label, null, index,
            Fields(new Dictionary<string, string>(), [], planned.Fields),
            TechniqueIds(planned), [], null, RuleName(planned), null, planned.Status, null, null, null, null, false, true);

    private static EventDiff Compare(StoredEvent old, PlannedEvent planned, int index)
    {
        // Techniques someone set by hand stay as they set them, as does a status that is not automation's.
        var techniques = old.TechniquesByPerson ? old.Techniques.ToList() : TechniqueIds(planned);
        var owned = Owner(old);
        var redecide = owned is null && (old.Status != planned.Status || old.Rule != RuleName(planned));
        var rule = owned is null ? RuleName(planned) : old.Rule;
        return new EventDiff(ReplayChange.Change, planned.Label, old.Id, index,
            Fields(old.Fields, old.Custom, planned.Fields),
            techniques.Except(old.Techniques).Order(StringComparer.Ordinal).ToList(),
            old.Techniques.Except(techniques).Order(StringComparer.Ordinal).ToList(),
            old.Rule, rule, old.Status, owned is null ? planned.Status : old.Status,
            owned is not null && (old.Status != planned.Status || old.Rule != RuleName(planned)) ? owned : null,
            null, null, null, old.Superseded, redecide);
    }

    /// <summary>Why the event's status is not automation's to change: an escalation (it has its incident), or a person's decision.</summary>
    private static string? Owner(StoredEvent old) =>
        old.Status == PlannedStatus.Escalated ? "The event was escalated; it keeps its status and its incident."
        : !old.StatusSetByAutomation ? "Someone set the event's status by hand; it stays as they set it."
        : null;

    /// <summary>
    /// Why an event whose item the definitions no longer make stays anyway: a definition that now fails (on the item, or
    /// on the whole request) is a fault to fix, not a reason to hide events; an escalated or triaged event is someone's.
    /// </summary>
    private static string? WhyKept(StoredEvent old, IngestionLog log, DeduplicatedEvent? duplicate) =>
        duplicate is null && log.Errors.FirstOrDefault(e => e.Item == old.Label || e.Item == "body") is { } error
            ? $"The current definitions fail on it ({error.Message}); its event stays as it is."
        : old.Status == PlannedStatus.Escalated ? "The event was escalated; it stays, with its incident."
        : !old.StatusSetByAutomation ? "Someone set the event's status by hand; it stays."
        : null;

    private static List<FieldChange> Fields(IReadOnlyDictionary<string, string> oldStandard, JsonObject oldCustom, MappedFields now)
    {
        var changes = new List<FieldChange>();
        foreach (var name in oldStandard.Keys.Union(now.Standard.Keys).Order(StringComparer.Ordinal))
        {
            var (from, to) = (oldStandard.GetValueOrDefault(name), now[name]);
            if (from != to)
            {
                changes.Add(new FieldChange(name, from, to));
            }
        }
        changes.AddRange(Custom(oldCustom, now.Custom));
        return changes;
    }

    private static IEnumerable<FieldChange> Custom(JsonObject from, JsonObject to) =>
        from.Select(p => p.Key).Union(to.Select(p => p.Key)).Order(StringComparer.Ordinal)
            .Select(name => (name, from: from[name], to: to[name]))
            .Where(x => !JsonNode.DeepEquals(x.from, x.to))
            .Select(x => new FieldChange(x.name, x.from?.DeepClone(), x.to?.DeepClone()));

    private static List<string> TechniqueIds(PlannedEvent planned) =>
        (planned.Techniques ?? []).Select(t => t.TechniqueId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    private static string? RuleName(PlannedEvent planned) => planned.Automation?["ruleName"]?.GetValue<string>();

    private static string WhyGone(string label, IngestionLog log) =>
        log.Deduplicated.FirstOrDefault(d => d.Item == label) is { } duplicate
            ? duplicate.EventId is { } id ? $"Its External ID is now that of event {id}; it is superseded by that event." : $"Its External ID is now that of {duplicate.SameAsItem}; it is superseded by that item's event."
        : log.Dropped.Contains(label) ? "The data formatter drops it now."
        : log.Errors.FirstOrDefault(e => e.Item == label) is { } error ? error.Message
        : "The current definitions select no such item from the request.";

    private static List<IncidentDiff> CompareIncidents(IReadOnlyList<StoredIncident> storedIncidents, BatchPlan plan, Dictionary<int, long> matched)
    {
        var stored = storedIncidents.GroupBy(i => i.Label, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.OrderBy(i => i.Id).First(), StringComparer.Ordinal);
        var diffs = new List<IncidentDiff>();
        for (var index = 0; index < plan.Incidents.Count; index++)
        {
            var planned = plan.Incidents[index];
            if (planned.Label is not { } label)
            {
                continue;
            }
            if (!stored.TryGetValue(label, out var old))
            {
                diffs.Add(new IncidentDiff(ReplayChange.Appear, label, null, index, IncidentChanges(new Dictionary<string, string?>(), [], planned), null));
                continue;
            }
            matched[index] = old.Id;
            var changes = IncidentChanges(old.Fields, old.Custom, planned);
            if (changes.Count > 0)
            {
                diffs.Add(new IncidentDiff(ReplayChange.Change, label, old.Id, index, changes,
                    old.Untouched ? null : "Someone has changed the incident since it was made; its fields stay as they are."));
            }
        }
        var plannedLabels = plan.Incidents.Select(i => i.Label).OfType<string>().ToHashSet(StringComparer.Ordinal);
        diffs.AddRange(stored.Values.Where(i => !plannedLabels.Contains(i.Label)).OrderBy(i => i.Id)
            .Select(i => new IncidentDiff(ReplayChange.Disappear, i.Label, i.Id, null, [], "Incidents are never withdrawn by a replay; it stays.")));
        return diffs;
    }

    /// <summary>The incident fields a replay compares, by their API names: the stored incident's and the plan's are built alike.</summary>
    public static IReadOnlyDictionary<string, string?> IncidentFields(string? incidentType, string? title, string? description, string? severity, string? owner, string? externalId) =>
        new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["IncidentType"] = incidentType,
            ["Title"] = title,
            ["Description"] = description,
            ["Severity"] = severity,
            ["Owner"] = owner,
            ["ExternalId"] = externalId,
        };

    private static List<FieldChange> IncidentChanges(IReadOnlyDictionary<string, string?> old, JsonObject oldCustom, PlannedIncident planned)
    {
        var now = IncidentFields(planned.IncidentType, planned.Title, planned.Description, planned.Severity, planned.Owner, planned.ExternalId);
        var changes = now.Where(f => old.GetValueOrDefault(f.Key) != f.Value && !(old.Count == 0 && f.Value is null))
            .Select(f => new FieldChange(f.Key, old.GetValueOrDefault(f.Key), f.Value)).ToList();
        changes.AddRange(Custom(oldCustom, planned.Custom));
        return changes;
    }
}
