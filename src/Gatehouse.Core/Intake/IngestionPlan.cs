using System.Text.Json.Nodes;
using Gatehouse.Core.Attack;
using Gatehouse.Core.Auth;
using Gatehouse.Core.Playbooks;
using Gatehouse.Core.Rules;
using Gatehouse.Core.Sigma;

namespace Gatehouse.Core.Intake;

/// <summary>A stored request as the planner sees it, with the definitions and key options that apply to it.</summary>
public sealed record IngestionInput(
    string Refid,
    IntakeKind Intake,
    int IntegrationId,
    string IntegrationName,
    int SiteId,
    JsonNode? Body,
    CompiledIntake EventIntake,
    CompiledIntake? IncidentIntake,
    IngestionSettings Settings);

/// <summary>The key's intake options: its data formatter (by name), TTP search, the automation rules of the site, its playbook.</summary>
public sealed record IngestionSettings(string? Formatter = null, bool RunTtpSearch = false, IReadOnlyList<CompiledRule>? Rules = null, string? Playbook = null)
{
    public static readonly IngestionSettings None = new();
}

/// <summary>A playbook that can be started: its canonical name and kind.</summary>
public sealed record PlaybookRef(string Name, PlaybookKind Kind);

/// <summary>An event already stored, by the key deduplication uses.</summary>
public readonly record struct ExternalKey(int IntegrationId, int SiteId, string ExternalId);

/// <summary>What the planner needs besides the requests: the clock's reading, detection content, what is already stored, how to name runs.</summary>
public sealed record PlanningContext(
    DateTimeOffset Now,
    AttackCatalog Catalog,
    SigmaRuleSet? Sigma,
    IReadOnlyDictionary<ExternalKey, long> Known,
    Func<string, PlaybookRef?> FindPlaybook,
    Func<string> NewRunId);

public enum FormatResult { Kept, Dropped, Failed }

/// <summary>What the data formatter made of one item: the event to keep, a drop, or a failure with its reason.</summary>
public sealed record FormatOutcome(FormatResult Result, JsonObject? Event = null, string? Error = null)
{
    public static FormatOutcome Kept(JsonObject formatted) => new(FormatResult.Kept, formatted);
    public static readonly FormatOutcome Dropped = new(FormatResult.Dropped);
    public static FormatOutcome Failed(string error) => new(FormatResult.Failed, Error: error);
}

/// <summary>The items a request's main JSON path selected, before formatting.</summary>
public sealed record IngestionSelection(IngestionInput Input, IReadOnlyList<SelectedItem> Events, IReadOnlyList<SelectedIncident> Incidents, IReadOnlyList<ExtractionError> Errors)
{
    /// <summary>The items a data formatter runs on, in order: each event, or each incident's events.</summary>
    public IEnumerable<SelectedItem> ItemsToFormat => Input.Intake == IntakeKind.Event ? Events : Incidents.SelectMany(i => i.Events);
}

/// <summary>One item after formatting and mapping; <see cref="Event"/> is null when the formatter dropped it or failed on it.</summary>
public sealed record DraftItem(string Label, string? FormatterStep, JsonObject? Event, MappedFields? Fields);

/// <summary>An incident of the request, mapped, with its events.</summary>
public sealed record DraftIncident(string Label, JsonObject Raw, MappedFields Fields, string Severity, IReadOnlyList<DraftItem> Events);

/// <summary>A request formatted and mapped: all the planner needs, and the External IDs to look up before planning.</summary>
public sealed record IngestionDraft(
    IngestionInput Input,
    IReadOnlyList<DraftItem> Events,
    IReadOnlyList<DraftIncident> Incidents,
    JsonArray RawData,
    IReadOnlyList<ExtractionError> Errors,
    IReadOnlyList<string> Dropped)
{
    public IEnumerable<ExternalKey> ExternalIds =>
        Events.Concat(Incidents.SelectMany(i => i.Events))
            .Where(e => e.Fields?[EventFields.ExternalId] is not null)
            .Select(e => new ExternalKey(Input.IntegrationId, Input.SiteId, e.Fields![EventFields.ExternalId]!));
}

public enum PlannedStatus { New, Dismissed, Escalated }

/// <summary>An event the batch creates.</summary>
public sealed class PlannedEvent
{
    public required string Refid { get; init; }
    /// <summary>The request's item it was made from (<c>event 0</c>, <c>incident 1 event 0</c>): how a replay finds it again.</summary>
    public required string Label { get; init; }
    public required int IntegrationId { get; init; }
    public required int SiteId { get; init; }
    public required JsonObject Raw { get; init; }
    public required MappedFields Fields { get; init; }
    public IReadOnlyList<TechniqueMatch>? Techniques { get; init; }
    public PlannedStatus Status { get; set; }
    public DismissalAction? Dismissal { get; set; }
    /// <summary>The automation rule that decided, as stored with the event.</summary>
    public JsonObject? Automation { get; set; }
}

/// <summary>An event of the batch (its index in <see cref="BatchPlan.Events"/>) or one already stored (its id).</summary>
public readonly record struct EventRef(int? Planned, long? Existing);

/// <summary>An incident the batch creates: from incident intake, or by an escalation rule.</summary>
public sealed class PlannedIncident
{
    public required string Refid { get; init; }
    public required int IntegrationId { get; init; }
    public required int SiteId { get; init; }
    /// <summary>The request's item, for an incident of incident intake; null when a rule escalated.</summary>
    public string? Label { get; init; }
    public required string IncidentType { get; init; }
    public required string Title { get; init; }
    public string? Description { get; init; }
    public required string Severity { get; init; }
    public string? Owner { get; init; }
    public string? ExternalId { get; init; }
    /// <summary>Who made it: the integration, or the automation rule that escalated.</summary>
    public required string Creator { get; init; }
    public string? Playbook { get; init; }
    public required JsonObject Custom { get; init; }
    public required JsonObject Raw { get; init; }
    public List<EventRef> Events { get; } = [];
}

/// <summary>A playbook run to queue for a planned event or incident (by index), with the id the log names.</summary>
public sealed record PlannedRun(string Id, string Playbook, PlaybookKind Kind, int? Event, int? Incident, int SiteId, string Trigger);

/// <summary>A playbook that was asked for and could not start, for the operator's log.</summary>
public sealed record NotStarted(string Playbook, string Trigger, string Problem);

/// <summary>What a batch of requests becomes: every row to write, and each request's log.</summary>
public sealed class BatchPlan
{
    public List<PlannedEvent> Events { get; } = [];
    public List<PlannedIncident> Incidents { get; } = [];
    public List<PlannedRun> Runs { get; } = [];
    public List<NotStarted> NotStarted { get; } = [];
    /// <summary>Each request's log, by refid, in the order planned.</summary>
    public List<(string Refid, IngestionLog Log)> Logs { get; } = [];
    public int Deduplicated { get; set; }
    public int Techniques { get; set; }
}
