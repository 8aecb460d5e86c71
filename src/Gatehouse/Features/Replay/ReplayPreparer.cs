using System.Text.Json.Nodes;
using Gatehouse.Core.Intake;
using Gatehouse.Core.Rules;
using Gatehouse.Features.Attack;
using Gatehouse.Features.Intake;
using Gatehouse.Features.Playbooks;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Replay;

/// <summary>One stored request planned again with the current definitions, and set against what it made.</summary>
public sealed record PreparedReplay(Ingestion Ingestion, BatchPlan Plan, ReplayOutcome Outcome, IReadOnlyDictionary<string, PlaybookEntry> Playbooks);

/// <summary>
/// Reads: the stored requests a filter names, and for one of them what it made and what the current
/// definitions would make now. Writes nothing; a dry run is this and nothing more.
/// </summary>
public sealed class ReplayPreparer(GatehouseDb db, IngestionDrafter drafter, AttackContent attack, TimeProvider time)
{
    public static IQueryable<Ingestion> Matching(GatehouseDb db, ReplayFilter filter, IReadOnlyCollection<IngestionStatus> statuses, IReadOnlySet<int> sites)
    {
        var query = IngestionsApi.Visible(db, sites, filter.Site, filter.Integration, filter.From, filter.To).Where(i => statuses.Contains(i.Status));
        return filter.Key is { } key ? query.Where(i => i.KeyId == key) : query;
    }

    public async Task<PreparedReplay> PrepareAsync(Ingestion row, CancellationToken cancellationToken)
    {
        var draft = await drafter.DraftAsync(row, cancellationToken);
        var known = await drafter.KnownAsync(draft.ExternalIds.ToHashSet(), row.Id, cancellationToken);
        var playbooks = await drafter.PlaybooksAsync([draft], cancellationToken);
        var plan = IngestionPlanner.Plan([draft], new PlanningContext(
            time.GetUtcNow(), attack.Catalog, attack.Sigma, known,
            name => playbooks.TryGetValue(name, out var entry) ? new PlaybookRef(entry.Name, entry.Kind) : null,
            () => Guid.NewGuid().ToString("N")));
        var log = IngestionLogJson.Deserialize(row.LogJson);
        var events = await StoredEventsAsync(row.Id, log, cancellationToken);
        var incidents = row.Intake == Core.Auth.IntakeKind.Incident ? await StoredIncidentsAsync(row, log, cancellationToken) : [];
        var byName = playbooks.Values.DistinctBy(p => p.Name).ToDictionary(p => p.Name, StringComparer.Ordinal);
        return new PreparedReplay(row, plan, ReplayPlanner.Compare(events, incidents, plan), byName);
    }

    /// <summary>
    /// The request's events with the item each came from. Events stored before items were recorded are matched to the
    /// log's created steps in order, which is the order they were inserted in.
    /// </summary>
    private async Task<List<StoredEvent>> StoredEventsAsync(string refid, IngestionLog log, CancellationToken cancellationToken)
    {
        var rows = await db.Events.AsNoTracking().Where(e => e.IngestionId == refid).OrderBy(e => e.Id).ToListAsync(cancellationToken);
        var created = new Queue<string>(log.Steps.OfType<JsonObject>()
            .Where(s => s["created"] is JsonValue value && value.TryGetValue<bool>(out var made) && made)
            .Select(s => s["item"]?.GetValue<string>()).OfType<string>());
        var stored = new List<StoredEvent>();
        foreach (var row in rows)
        {
            var label = row.ItemLabel ?? (created.TryDequeue(out var next) ? next : $"event #{row.Id}");
            stored.Add(new StoredEvent(row.Id, label, EventColumns.Read(row), GatehouseJson.ParseStored(row.CustomFieldsJson) as JsonObject ?? [],
                SearchedTechniques(row.TechniquesJson), Status(row.Status), RuleOf(row.AutomationJson), StatusSetByAutomation(row), row.SupersededAt is not null));
        }
        return stored;
    }

    private async Task<List<StoredIncident>> StoredIncidentsAsync(Ingestion row, IngestionLog log, CancellationToken cancellationToken)
    {
        var integration = await db.Integrations.AsNoTracking().Where(i => i.Id == row.IntegrationId).Select(i => i.Name).FirstAsync(cancellationToken);
        var rows = await db.Incidents.AsNoTracking().Where(i => i.IngestionId == row.Id && (i.ItemLabel != null || i.Creator == integration))
            .OrderBy(i => i.Id).ToListAsync(cancellationToken);
        var ids = rows.Select(i => i.Id).ToList();
        // Untouched: nobody has changed it since it was made (a replay's own changes do not count).
        var touched = (await db.IncidentHistory.AsNoTracking().Where(h => ids.Contains(h.IncidentId) && h.Action != "created" && h.Action != ReplayWriter.HistoryAction)
            .Select(h => h.IncidentId).Distinct().ToListAsync(cancellationToken)).ToHashSet();
        var made = new Queue<string>(log.Output.OfType<JsonObject>().Where(o => o["events"] is JsonArray).Select(o => o["item"]?.GetValue<string>()).OfType<string>());
        return rows.Select(i => new StoredIncident(i.Id, i.ItemLabel ?? (made.TryDequeue(out var next) ? next : $"incident #{i.Id}"),
            new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["IncidentType"] = i.IncidentType, ["Title"] = i.Title, ["Description"] = i.Description,
                ["Severity"] = i.Severity, ["Owner"] = i.Owner, ["ExternalId"] = i.ExternalId,
            },
            GatehouseJson.ParseStored(i.DynamicFieldsJson)?[IngestionApplier.CustomFieldsSection] as JsonObject ?? [],
            !touched.Contains(i.Id))).ToList();
    }

    public static PlannedStatus Status(EventStatus status) => status switch
    {
        EventStatus.Dismissed => PlannedStatus.Dismissed,
        EventStatus.Escalated => PlannedStatus.Escalated,
        _ => PlannedStatus.New,
    };

    /// <summary>Techniques the search set; those set by hand are a person's and a replay keeps them.</summary>
    public static List<string> SearchedTechniques(string? json) =>
        json is not null && GatehouseJson.ParseStored(json) is JsonArray matches
            ? matches.OfType<JsonObject>().Where(m => m["layer"]?.GetValue<string>() != EventTechniques.ManualLayer)
                .Select(m => m["techniqueId"]?.GetValue<string>()).OfType<string>().Distinct(StringComparer.Ordinal).ToList()
            : [];

    private static string? RuleOf(string? automation) => automation is null ? null : GatehouseJson.ParseStored(automation)?["ruleName"]?.GetValue<string>();

    /// <summary>The status is the one automation left: New with no rule, or what the rule that matched decided.</summary>
    private static bool StatusSetByAutomation(Event row) =>
        (row.AutomationJson is null ? null : GatehouseJson.ParseStored(row.AutomationJson)?["type"]?.GetValue<string>(), row.Status) switch
        {
            (null, EventStatus.New) => true,
            (nameof(RuleType.Dismissal), EventStatus.Dismissed) => true,
            (nameof(RuleType.Escalation), EventStatus.Escalated) => true,
            _ => false,
        };
}
