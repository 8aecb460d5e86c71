using Gatehouse.Core.Intake;
using Gatehouse.Core.Playbooks;
using Gatehouse.Features.Playbooks;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Gatehouse.Features.Intake;

/// <summary>The claim on an ingestion was lost (its lease ran out and another node took it): the batch's transaction is void.</summary>
public sealed class ClaimLostException(string refid) : Exception($"The claim on ingestion {refid} was lost.")
{
    public string Refid { get; } = refid;
}

/// <summary>
/// Writes a batch plan in one transaction: events, incidents, their links, playbook runs and their
/// tasks with prepared inserts reused per row, then each ingestion's log and status — only while this
/// node still holds its claim — and one commit.
/// </summary>
public sealed class IngestionApplier(TimeProvider time, Microsoft.Extensions.Options.IOptions<GatehouseOptions> options)
{
    private Inserters? _inserters;

    private sealed class Inserters(GatehouseDb db)
    {
        public readonly RowInserter<Event> Events = new(db);
        public readonly RowInserter<Incident> Incidents = new(db);
        public readonly RowInserter<IncidentEvent> Links = new(db);
        public readonly RowInserter<IncidentHistoryEntry> History = new(db);
        public readonly RowInserter<PlaybookRun> Runs = new(db);
        public readonly RowInserter<PlaybookTaskRun> Tasks = new(db);

        /// <summary>An ingestion's outcome, written only while this node's claim holds.</summary>
        public readonly RowUpdater<Ingestion> Completions = new(db,
            [nameof(Ingestion.Status), nameof(Ingestion.ProcessedAt), nameof(Ingestion.LogJson), nameof(Ingestion.ClaimedBy), nameof(Ingestion.LeaseExpiresAt)],
            [nameof(Ingestion.Id), nameof(Ingestion.ClaimedBy)]);
    }

    public async Task ApplyAsync(GatehouseDb db, BatchPlan plan, IReadOnlyDictionary<string, PlaybookEntry> playbooks, string claim, CancellationToken cancellationToken)
    {
        var inserters = _inserters ??= new Inserters(db);
        var now = time.GetUtcNow();
        var events = plan.Events.Select(e => EventRow(e, now)).ToList();
        var status = options.Value.Incidents.Vocabulary().InitialStatus;
        var incidents = plan.Incidents.Select(i => IncidentRow(i, status, now)).ToList();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var connection = db.Database.GetDbConnection();
            var raw = transaction.GetDbTransaction();
            await inserters.Events.InsertReturningKeysAsync(connection, raw, events, cancellationToken);
            await inserters.Incidents.InsertReturningKeysAsync(connection, raw, incidents, cancellationToken);
            long EventId(EventRef reference) => reference.Existing ?? events[reference.Planned!.Value].Id;
            var links = plan.Incidents.SelectMany((incident, index) => incident.Events.Select(e => new IncidentEvent { IncidentId = incidents[index].Id, EventId = EventId(e) }));
            await inserters.Links.InsertAsync(connection, raw, links, cancellationToken);
            await inserters.History.InsertAsync(connection, raw, incidents.Select(i => Created(i, now)), cancellationToken);
            var runs = plan.Runs.Select(run => RunRow(run, playbooks[run.Playbook], run.Event is { } e ? events[e].Id : null, run.Incident is { } i ? incidents[i].Id : null, now)).ToList();
            await inserters.Runs.InsertAsync(connection, raw, runs, cancellationToken);
            await inserters.Tasks.InsertAsync(connection, raw, runs.SelectMany(r => r.Tasks), cancellationToken);
            var completed = plan.Logs.Select(l => (Set: new object?[] { IngestionStatus.Processed, now, IngestionLogJson.Serialize(l.Log), null, null }, Where: new object?[] { l.Refid, claim }));
            var changed = await inserters.Completions.UpdateAsync(connection, raw, completed, cancellationToken);
            if (changed.IndexOf(0) is var lost and >= 0)
            {
                throw new ClaimLostException(plan.Logs[lost].Refid);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    internal static Event EventRow(PlannedEvent planned, DateTimeOffset now)
    {
        var evt = new Event
        {
            IngestionId = planned.Refid,
            ItemLabel = planned.Label,
            IntegrationId = planned.IntegrationId,
            SiteId = planned.SiteId,
            Status = StatusOf(planned.Status),
            CreatedAt = now,
            CustomFieldsJson = "{}",
            RawJson = planned.Raw.ToJsonString(),
            TechniquesJson = planned.Techniques is { } techniques ? Attack.EventTechniques.Serialize(techniques) : null,
            AutomationJson = planned.Automation?.ToJsonString(),
            DismissalReasonCode = planned.Dismissal?.ReasonCode,
            DismissalReason = planned.Dismissal?.Reason,
        };
        EventColumns.Fill(evt, planned.Fields);
        return evt;
    }

    internal static EventStatus StatusOf(PlannedStatus status) => status switch
    {
        PlannedStatus.Dismissed => EventStatus.Dismissed,
        PlannedStatus.Escalated => EventStatus.Escalated,
        _ => EventStatus.New,
    };

    /// <summary>Mapped custom fields are the incident's dynamic section <see cref="CustomFieldsSection"/>.</summary>
    public const string CustomFieldsSection = "Custom Fields";

    internal static Incident IncidentRow(PlannedIncident planned, string status, DateTimeOffset now) => new()
    {
        IngestionId = planned.Refid,
        ItemLabel = planned.Label,
        IntegrationId = planned.IntegrationId,
        SiteId = planned.SiteId,
        IncidentType = planned.IncidentType,
        Title = planned.Title,
        Description = planned.Description,
        Severity = planned.Severity,
        Status = status,
        Owner = planned.Owner,
        Creator = planned.Creator,
        Playbook = planned.Playbook,
        ExternalId = planned.ExternalId,
        DynamicFieldsJson = planned.Custom.Count == 0 ? "{}" : new System.Text.Json.Nodes.JsonObject { [CustomFieldsSection] = planned.Custom.DeepClone() }.ToJsonString(),
        RawJson = planned.Raw.ToJsonString(),
        CreatedAt = now,
        ModifiedAt = now,
    };

    /// <summary>An incident's first history entry: who made it (the integration, or the rule that escalated) and from which request.</summary>
    internal static IncidentHistoryEntry Created(Incident incident, DateTimeOffset now) => new()
    {
        IncidentId = incident.Id,
        At = now,
        Actor = incident.Creator ?? "webhook",
        Action = "created",
        ChangesJson = new System.Text.Json.Nodes.JsonObject { ["via"] = "webhook", ["ingestion"] = incident.IngestionId }.ToJsonString(),
    };

    internal static PlaybookRun RunRow(PlannedRun planned, PlaybookEntry playbook, long? eventId, long? incidentId, DateTimeOffset now) => new()
    {
        Id = planned.Id,
        PlaybookId = playbook.PlaybookId,
        PlaybookVersionId = playbook.VersionId,
        PlaybookName = playbook.Name,
        Version = playbook.Version,
        Kind = planned.Kind,
        EventId = eventId,
        IncidentId = incidentId,
        SiteId = planned.SiteId,
        Trigger = planned.Trigger,
        Status = RunState.Queued,
        CreatedAt = now,
        Tasks = playbook.Definition.Tasks.Select(t => new PlaybookTaskRun { RunId = planned.Id, TaskId = t.Id, Status = TaskState.Pending }).ToList(),
    };
}
