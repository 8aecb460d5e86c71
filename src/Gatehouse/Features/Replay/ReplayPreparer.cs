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

/// <summary>
/// One stored request planned again with the current definitions, and set against what it made; <see cref="GuessedLabels"/>
/// are the items found from the log for events and incidents stored before items were recorded, which the write records.
/// </summary>
public sealed record PreparedReplay(
    Ingestion Ingestion, BatchPlan Plan, ReplayOutcome Outcome, IReadOnlyDictionary<string, PlaybookEntry> Playbooks,
    IReadOnlyDictionary<long, string> GuessedEventLabels, IReadOnlyDictionary<long, string> GuessedIncidentLabels);

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
        // Without its key the request's formatter, TTP search and rules are unknown: replaying would undo what they did.
        if (!await db.WebhookKeys.AnyAsync(k => k.Id == row.KeyId, cancellationToken))
        {
            throw new InvalidDataException($"The key that received it (id {row.KeyId}) was deleted, and with it the request's formatter, TTP search and rule settings; it is left as it is.");
        }
        var draft = await drafter.DraftAsync(row, cancellationToken);
        var known = await drafter.KnownAsync(draft.ExternalIds.ToHashSet(), row.Id, cancellationToken);
        var playbooks = await drafter.PlaybooksAsync([draft], cancellationToken);
        var plan = IngestionPlanner.Plan([draft], new PlanningContext(
            time.GetUtcNow(), attack.Catalog, attack.Sigma, known,
            name => playbooks.TryGetValue(name, out var entry) ? new PlaybookRef(entry.Name, entry.Kind) : null,
            () => Guid.NewGuid().ToString("N")));
        var log = IngestionLogJson.Deserialize(row.LogJson);
        var (events, guessedEvents) = await StoredEventsAsync(row.Id, log, cancellationToken);
        var (incidents, guessedIncidents) = row.Intake == Core.Auth.IntakeKind.Incident ? await StoredIncidentsAsync(row, log, cancellationToken) : ([], []);
        var byName = playbooks.Values.DistinctBy(p => p.Name).ToDictionary(p => p.Name, StringComparer.Ordinal);
        return new PreparedReplay(row, plan, ReplayPlanner.Compare(events, incidents, plan), byName, guessedEvents, guessedIncidents);
    }

    /// <summary>
    /// Each row's item: its own, or for rows stored before items were recorded, the next of the log's items (in the order the
    /// rows were inserted) that no other row has.
    /// </summary>
    private static Dictionary<long, string> Guessed(IEnumerable<(long Id, string? Label)> rows, IEnumerable<string> logged)
    {
        var list = rows.ToList();
        var taken = list.Select(r => r.Label).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var free = new Queue<string>(logged.Where(l => !taken.Contains(l)));
        return list.Where(r => r.Label is null).ToDictionary(r => r.Id, r => free.TryDequeue(out var next) ? next : $"unknown item of #{r.Id}");
    }

    /// <summary>
    /// The request's events with the item each came from. Events stored before items were recorded are matched to the
    /// log's created steps in order, which is the order they were inserted in.
    /// </summary>
    private async Task<(List<StoredEvent>, Dictionary<long, string>)> StoredEventsAsync(string refid, IngestionLog log, CancellationToken cancellationToken)
    {
        var rows = await db.Events.AsNoTracking().Where(e => e.IngestionId == refid).OrderBy(e => e.Id).ToListAsync(cancellationToken);
        var guessed = Guessed(rows.Select(r => (r.Id, r.ItemLabel)), log.Steps.OfType<JsonObject>()
            .Where(s => s["created"] is JsonValue value && value.TryGetValue<bool>(out var made) && made)
            .Select(s => s["item"]?.GetValue<string>()).OfType<string>());
        var stored = rows.Select(row => new StoredEvent(row.Id, row.ItemLabel ?? guessed[row.Id], EventColumns.Read(row),
            GatehouseJson.ParseStored(row.CustomFieldsJson) as JsonObject ?? [], SearchedTechniques(row.TechniquesJson), Status(row.Status),
            RuleOf(row.AutomationJson), StatusSetByAutomation(row), row.SupersededAt is not null, ManualTechniques(row.TechniquesJson))).ToList();
        return (stored, guessed);
    }

    private async Task<(List<StoredIncident>, Dictionary<long, string>)> StoredIncidentsAsync(Ingestion row, IngestionLog log, CancellationToken cancellationToken)
    {
        var integration = await db.Integrations.AsNoTracking().Where(i => i.Id == row.IntegrationId).Select(i => i.Name).FirstAsync(cancellationToken);
        var rows = await db.Incidents.AsNoTracking().Where(i => i.IngestionId == row.Id && (i.ItemLabel != null || i.Creator == integration))
            .OrderBy(i => i.Id).ToListAsync(cancellationToken);
        var touched = await TouchedAsync(db, rows.Select(i => i.Id).ToList(), cancellationToken);
        var guessed = Guessed(rows.Select(i => (i.Id, i.ItemLabel)),
            log.Output.OfType<JsonObject>().Where(o => o["events"] is JsonArray).Select(o => o["item"]?.GetValue<string>()).OfType<string>());
        var stored = rows.Select(i => new StoredIncident(i.Id, i.ItemLabel ?? guessed[i.Id],
            ReplayPlanner.IncidentFields(i.IncidentType, i.Title, i.Description, i.Severity, i.Owner, i.ExternalId),
            GatehouseJson.ParseStored(i.DynamicFieldsJson)?[IngestionApplier.CustomFieldsSection] as JsonObject ?? [],
            !touched.Contains(i.Id))).ToList();
        return (stored, guessed);
    }

    /// <summary>Incidents someone has changed since they were made (a replay's own changes do not count).</summary>
    public static async Task<HashSet<long>> TouchedAsync(GatehouseDb db, IReadOnlyCollection<long> ids, CancellationToken cancellationToken) =>
        (await db.IncidentHistory.AsNoTracking().Where(h => ids.Contains(h.IncidentId) && h.Action != "created" && h.Action != ReplayWriter.HistoryAction)
            .Select(h => h.IncidentId).Distinct().ToListAsync(cancellationToken)).ToHashSet();

    private static PlannedStatus Status(EventStatus status) => status switch
    {
        EventStatus.Dismissed => PlannedStatus.Dismissed,
        EventStatus.Escalated => PlannedStatus.Escalated,
        _ => PlannedStatus.New,
    };

    /// <summary>Techniques the search set; those set by hand are a person's and a replay keeps them.</summary>
    private static List<string> SearchedTechniques(string? json) =>
        json is not null && GatehouseJson.ParseStored(json) is JsonArray matches
            ? matches.OfType<JsonObject>().Where(m => m["layer"]?.GetValue<string>() != EventTechniques.ManualLayer)
                .Select(m => m["techniqueId"]?.GetValue<string>()).OfType<string>().Distinct(StringComparer.Ordinal).ToList()
            : [];

    private static bool ManualTechniques(string? json) =>
        json is not null && GatehouseJson.ParseStored(json) is JsonArray matches
        && matches.OfType<JsonObject>().Any(m => m["layer"]?.GetValue<string>() == EventTechniques.ManualLayer);

    private static string? RuleOf(string? automation) => automation is null ? null : GatehouseJson.ParseStored(automation)?["ruleName"]?.GetValue<string>();

    /// <summary>The status is the one automation left: New with no rule, or what the rule that matched decided.</summary>
    private static bool StatusSetByAutomation(Event row) => !row.StatusByPerson &&
        (row.AutomationJson is null ? null : GatehouseJson.ParseStored(row.AutomationJson)?["type"]?.GetValue<string>(), row.Status) switch
        {
            (null, EventStatus.New) => true,
            (nameof(RuleType.Dismissal), EventStatus.Dismissed) => true,
            (nameof(RuleType.Escalation), EventStatus.Escalated) => true,
            _ => false,
        };
}
