using System.Text.Json.Nodes;
using Gatehouse.Core.Intake;
using Gatehouse.Features.Attack;
using Gatehouse.Features.Intake;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Replay;

public enum ReplayWrite { Applied, Unchanged, Skipped }

/// <summary>What a write did, and the other requests whose events now point at an event whose External ID this write changed.</summary>
public sealed record ReplayWritten(ReplayWrite Write, IReadOnlyList<string> Revisit)
{
    public static readonly ReplayWritten Skipped = new(ReplayWrite.Skipped, []);
}

/// <summary>
/// Carries out one prepared replay in one transaction: events that go are superseded (with the event
/// they now duplicate), matched events are updated in place, new ones are created and linked, and the
/// request's log is replaced. It is conditioned on the ingestion being as it was read, so a replay and a
/// retry (or two replays) of one request cannot both write.
/// </summary>
public sealed class ReplayWriter(GatehouseDb db, TimeProvider time, IOptions<GatehouseOptions> options)
{
    /// <summary>The incident history action a replay's change is recorded under.</summary>
    public const string HistoryAction = "replayed";

    public async Task<ReplayWritten> ApplyAsync(PreparedReplay prepared, bool runPlaybooks, string actor, CancellationToken cancellationToken)
    {
        var (row, plan, outcome) = (prepared.Ingestion, prepared.Plan, prepared.Outcome);
        var now = time.GetUtcNow();
        var log = IngestionLogJson.Serialize(plan.Logs.Single().Log);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // An unchanged request keeps its processing time, so the dashboard's counts do not move.
        DateTimeOffset? processedAt = outcome.Changed || row.Status == IngestionStatus.Failed ? now : row.ProcessedAt;
        var claimed = await db.Ingestions.Where(i => i.Id == row.Id && i.Status == row.Status && i.ProcessedAt == row.ProcessedAt && i.ClaimedBy == null)
            .ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Status, IngestionStatus.Processed)
                .SetProperty(i => i.ProcessedAt, processedAt)
                .SetProperty(i => i.LogJson, log)
                .SetProperty(i => i.Attempts, 0), cancellationToken);
        if (claimed == 0)
        {
            return ReplayWritten.Skipped;
        }
        await RecordGuessedLabelsAsync(prepared, cancellationToken);
        if (!outcome.Changed && row.Status == IngestionStatus.Processed)
        {
            await transaction.CommitAsync(cancellationToken);
            return new ReplayWritten(ReplayWrite.Unchanged, []);
        }
        var diffs = outcome.Events;
        var stored = await db.Events.Where(e => e.IngestionId == row.Id).ToDictionaryAsync(e => e.Id, cancellationToken);

        // External IDs are unique: those that go or change are cleared first, so items may trade them without a clash.
        foreach (var gone in diffs.Where(d => d is { Change: ReplayChange.Disappear, Kept: null }))
        {
            var evt = stored[gone.Event!.Value];
            (evt.SupersededAt, evt.SupersededReason, evt.SupersededById, evt.ExternalId) = (now, Truncate(gone.Reason, 1000), gone.DuplicateOf, null);
        }
        var changed = diffs.Where(d => d.Change == ReplayChange.Change).ToList();
        foreach (var change in changed.Where(c => c.Fields.Any(f => f.Field == EventFields.ExternalId)))
        {
            stored[change.Event!.Value].ExternalId = null;
        }
        await db.SaveChangesAsync(cancellationToken);
        foreach (var change in changed)
        {
            Update(stored[change.Event!.Value], plan.Events[change.Planned!.Value], change, now);
        }
        var created = diffs.Where(d => d.Change == ReplayChange.Appear).ToDictionary(d => d.Planned!.Value, d => IngestionApplier.EventRow(plan.Events[d.Planned!.Value], now));
        db.Events.AddRange(created.Values);
        await db.SaveChangesAsync(cancellationToken);

        long? EventId(EventRef reference) => reference.Existing
            ?? (outcome.StoredByPlanned.TryGetValue(reference.Planned!.Value, out var id) ? id : created.TryGetValue(reference.Planned.Value, out var made) ? made.Id : null);
        foreach (var gone in diffs.Where(d => d is { Change: ReplayChange.Disappear, Kept: null, DuplicateOfItem: not null }))
        {
            var index = plan.Events.FindIndex(e => e.Label == gone.DuplicateOfItem);
            stored[gone.Event!.Value].SupersededById = index < 0 ? null : EventId(new EventRef(index, null));
        }
        var incidents = await WriteIncidentsAsync(prepared, EventId, actor, now, cancellationToken);
        if (runPlaybooks)
        {
            var touchedEvents = diffs.Where(d => d.Change != ReplayChange.Disappear).Select(d => d.Planned!.Value).ToHashSet();
            foreach (var run in plan.Runs.Where(r => r.Event is { } e ? touchedEvents.Contains(e) : incidents.ContainsKey(r.Incident!.Value)))
            {
                var entity = IngestionApplier.RunRow(run, prepared.Playbooks[run.Playbook],
                    run.Event is { } e ? EventId(new EventRef(e, null)) : null, run.Incident is { } i ? incidents[i] : null, now);
                db.PlaybookRuns.Add(entity);
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        // Events superseded as duplicates of an event whose External ID changed here may stand for themselves again.
        var moved = changed.Where(c => c.Fields.Any(f => f.Field == EventFields.ExternalId)).Select(c => (long?)c.Event!.Value).ToList();
        var revisit = moved.Count == 0 ? [] : await db.Events.AsNoTracking()
            .Where(e => moved.Contains(e.SupersededById) && e.IngestionId != null && e.IngestionId != row.Id).Select(e => e.IngestionId!).Distinct().ToListAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new ReplayWritten(ReplayWrite.Applied, revisit);
    }

    /// <summary>Rows stored before items were recorded keep the item they were matched to, so later replays need not guess.</summary>
    private async Task RecordGuessedLabelsAsync(PreparedReplay prepared, CancellationToken cancellationToken)
    {
        foreach (var (id, label) in prepared.GuessedEventLabels)
        {
            await db.Events.Where(e => e.Id == id && e.ItemLabel == null).ExecuteUpdateAsync(s => s.SetProperty(e => e.ItemLabel, label), cancellationToken);
        }
        foreach (var (id, label) in prepared.GuessedIncidentLabels)
        {
            await db.Incidents.Where(i => i.Id == id && i.ItemLabel == null).ExecuteUpdateAsync(s => s.SetProperty(i => i.ItemLabel, label), cancellationToken);
        }
    }

    private static void Update(Event evt, PlannedEvent planned, EventDiff change, DateTimeOffset now)
    {
        EventColumns.Fill(evt, planned.Fields);
        evt.RawJson = planned.Raw.ToJsonString();
        evt.TechniquesJson = Techniques(evt.TechniquesJson, planned.Techniques);
        if (change.Redecide)
        {
            evt.Status = IngestionApplier.StatusOf(planned.Status);
            evt.AutomationJson = planned.Automation?.ToJsonString();
            (evt.DismissalReasonCode, evt.DismissalReason) = (planned.Dismissal?.ReasonCode, planned.Dismissal?.Reason);
        }
        evt.ItemLabel = planned.Label;
        evt.ReplayedAt = now;
        (evt.SupersededAt, evt.SupersededById, evt.SupersededReason) = (null, null, null);
    }

    /// <summary>The search's techniques now; techniques someone set by hand stay exactly as they set them.</summary>
    private static string? Techniques(string? stored, IReadOnlyList<Core.Attack.TechniqueMatch>? searched)
    {
        var byPerson = stored is not null && (GatehouseJson.ParseStored(stored) as JsonArray ?? [])
            .OfType<JsonObject>().Any(m => m["layer"]?.GetValue<string>() == EventTechniques.ManualLayer);
        return byPerson ? stored : searched is null ? null : EventTechniques.Serialize(searched);
    }

    /// <summary>Intake incidents made, changed (when untouched) and linked to their events; escalations made. Returns the plan's incident index → id.</summary>
    private async Task<Dictionary<int, long>> WriteIncidentsAsync(
        PreparedReplay prepared, Func<EventRef, long?> eventId, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (row, plan, outcome) = (prepared.Ingestion, prepared.Plan, prepared.Outcome);
        var status = options.Value.Incidents.Vocabulary().InitialStatus;
        var written = new Dictionary<int, long>();
        var made = new List<(int Index, Incident Incident)>();
        foreach (var index in outcome.Incidents.Where(d => d.Change == ReplayChange.Appear).Select(d => d.Planned!.Value).Concat(outcome.Escalations))
        {
            var incident = IngestionApplier.IncidentRow(plan.Incidents[index], status, now);
            db.Incidents.Add(incident);
            made.Add((index, incident));
        }
        var tracked = await db.Incidents.Where(i => i.IngestionId == row.Id).ToDictionaryAsync(i => i.Id, cancellationToken);
        // Checked again inside the transaction: an edit made since the plan was drawn up stands.
        var touched = await ReplayPreparer.TouchedAsync(db, tracked.Keys.ToList(), cancellationToken);
        var matched = outcome.Incidents.Where(d => d.Change == ReplayChange.Change && d.Kept is null && !touched.Contains(d.Incident!.Value)).ToList();
        foreach (var change in matched)
        {
            var incident = tracked[change.Incident!.Value];
            Update(incident, plan.Incidents[change.Planned!.Value], now);
            db.IncidentHistory.Add(new IncidentHistoryEntry
            {
                IncidentId = incident.Id, At = now, Actor = actor, Action = HistoryAction,
                ChangesJson = new JsonArray(change.Fields.Select(f => (JsonNode)new JsonObject { ["field"] = f.Field, ["from"] = f.From?.DeepClone(), ["to"] = f.To?.DeepClone() }).ToArray()).ToJsonString(),
            });
            written[change.Planned!.Value] = incident.Id;
        }
        await db.SaveChangesAsync(cancellationToken);
        foreach (var (index, incident) in made)
        {
            db.IncidentHistory.Add(IngestionApplier.Created(incident, now));
            written[index] = incident.Id;
        }
        // Every incident of the request links to its events as the plan has them now; links already there stay.
        var targets = written.Concat(outcome.IncidentsByPlanned).DistinctBy(p => p.Key).ToList();
        var incidentIds = targets.Select(t => t.Value).ToList();
        var existing = (await db.IncidentEvents.AsNoTracking().Where(l => incidentIds.Contains(l.IncidentId)).Select(l => new { l.IncidentId, l.EventId }).ToListAsync(cancellationToken))
            .Select(l => (l.IncidentId, l.EventId)).ToHashSet();
        foreach (var (index, incidentId) in targets)
        {
            foreach (var reference in plan.Incidents[index].Events)
            {
                if (eventId(reference) is { } id && existing.Add((incidentId, id)))
                {
                    db.IncidentEvents.Add(new IncidentEvent { IncidentId = incidentId, EventId = id });
                }
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        return written;
    }

    private static void Update(Incident incident, PlannedIncident planned, DateTimeOffset now)
    {
        (incident.IncidentType, incident.Title, incident.Description, incident.Severity, incident.Owner, incident.ExternalId) =
            (planned.IncidentType, planned.Title, planned.Description, planned.Severity, planned.Owner, planned.ExternalId);
        var sections = (incident.DynamicFieldsJson is { } json ? GatehouseJson.ParseStored(json) as JsonObject : null) ?? [];
        sections.Remove(IngestionApplier.CustomFieldsSection);
        if (planned.Custom.Count > 0)
        {
            sections[IngestionApplier.CustomFieldsSection] = planned.Custom.DeepClone();
        }
        incident.DynamicFieldsJson = sections.ToJsonString();
        incident.RawJson = planned.Raw.ToJsonString();
        incident.ItemLabel = planned.Label;
        incident.ModifiedAt = now;
        incident.Version++;
    }

    private static string? Truncate(string? text, int length) => text is null || text.Length <= length ? text : text[..length];
}
