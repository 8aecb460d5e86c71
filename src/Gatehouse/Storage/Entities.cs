using Gatehouse.Core.Auth;
using Gatehouse.Core.Commands;
using Gatehouse.Core.Incidents;

namespace Gatehouse.Storage;

public sealed class Site
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string NormalizedName { get; set; }
    public SiteKind Kind { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public enum UserRole { Administrator, Analyst }

public sealed class User
{
    public int Id { get; set; }
    public required string Username { get; set; }
    public required string NormalizedUsername { get; set; }
    public required string PasswordHash { get; set; }
    public UserRole Role { get; set; }
    public bool Enabled { get; set; } = true;
    /// <summary>Set for a password the user did not choose (the generated admin password, or on request): until they change it, only that is allowed.</summary>
    public bool MustChangePassword { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public List<UserSite> Sites { get; set; } = [];
}

public sealed class UserSite
{
    public int UserId { get; set; }
    public int SiteId { get; set; }
    public Site? Site { get; set; }
}

public sealed class SessionToken
{
    public required byte[] TokenHash { get; set; }
    public int UserId { get; set; }
    public User? User { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

public sealed class Setting
{
    public required string Name { get; set; }
    public required string ValueJson { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public int? UpdatedByUserId { get; set; }
}

public sealed class Integration
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string NormalizedName { get; set; }
    /// <summary>The event intake definition as JSON (<see cref="Core.Intake.IntakeDefinition"/>).</summary>
    public required string EventIntakeJson { get; set; }
    public string? IncidentIntakeJson { get; set; }
    /// <summary>The integration's commands (HTTP request templates), as JSON.</summary>
    public string? CommandsJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class WebhookKey
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public KeyModule Module { get; set; }
    public KeyMethod Method { get; set; }
    public int? SiteId { get; set; }
    public Site? Site { get; set; }
    public ShareScope? ShareTo { get; set; }
    public int? IntegrationId { get; set; }
    public Integration? Integration { get; set; }
    public IntakeKind? Intake { get; set; }
    /// <summary>The utility command a Utility Command key runs.</summary>
    public string? Command { get; set; }
    public int CreatedByUserId { get; set; }
    public int? AssignedUserId { get; set; }
    public bool VisibleToAll { get; set; }
    public bool Enabled { get; set; } = true;
    /// <summary>SHA-256 of the header value, for lookup. The value itself is never stored in clear.</summary>
    public required byte[] SecretHash { get; set; }
    /// <summary>The header value encrypted with the data-protection key ring, for the people allowed to see it.</summary>
    public required string SecretProtected { get; set; }
    /// <summary>The hash of the value before the last regeneration: accepted until <see cref="PreviousValidUntil"/>, then recognised as regenerated.</summary>
    public byte[]? PreviousSecretHash { get; set; }
    /// <summary>For JWT keys, the previous secret (encrypted), still verifying tokens until <see cref="PreviousValidUntil"/>.</summary>
    public string? PreviousSecretProtected { get; set; }
    /// <summary>For JWT keys: the key id senders put in the token header.</summary>
    public string? Kid { get; set; }
    /// <summary>For JWT keys: the payload fields (a JSON array of names) that bind a token to the body.</summary>
    public string? PayloadFieldsJson { get; set; }
    public int MaxTokenAgeSeconds { get; set; } = 300;
    public bool RejectReplayedTokens { get; set; }
    /// <summary>For JWT keys made from a preset (a static token for pollers).</summary>
    public KeyPreset? Preset { get; set; }
    /// <summary>For Hmac keys: the signature scheme (a JSON <see cref="Core.Auth.SignatureScheme"/>). Standard Webhooks and GitHub keys use their vendor's.</summary>
    public string? SignatureJson { get; set; }
    /// <summary>Source addresses allowed to use the key (a JSON array of CIDR ranges); null: any.</summary>
    public string? AllowedSourcesJson { get; set; }
    public DateTimeOffset? PreviousValidUntil { get; set; }
    public DateTimeOffset? RegeneratedAt { get; set; }
    public string? DataFormatter { get; set; }
    public string? EventPlaybook { get; set; }
    public bool RunMitreTtpSearch { get; set; }
    public bool RunEventAutomationRules { get; set; }
    /// <summary>Requests per second for this key; null uses Gatehouse:Webhooks:RateLimitPerSecond.</summary>
    public int? RateLimitPerSecond { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public KeyScope Scope => new(Module, SiteId, ShareTo, IntegrationId, Intake, Command);
}

/// <summary>
/// One audited action. Webhook authentication failures are aggregated: one row per key, reason,
/// source and minute, with a count, so a flood cannot fill the disk.
/// </summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public DateTimeOffset LastAt { get; set; }
    public required string Action { get; set; }
    public int? ActorUserId { get; set; }
    public string? Actor { get; set; }
    public int? KeyId { get; set; }
    public string? Target { get; set; }
    public string? Reason { get; set; }
    public string? SourceAddress { get; set; }
    public string? DetailJson { get; set; }
    public int Count { get; set; } = 1;
    /// <summary>Set on aggregated rows (key, reason, source, minute); unique.</summary>
    public string? AggregateKey { get; set; }
}

/// <summary>A one-time token already accepted, remembered (by hash) until it could no longer pass the age check.</summary>
public sealed class UsedToken
{
    public int KeyId { get; set; }
    public required byte[] TokenHash { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

public enum ConnectionAuth { None, HeaderToken, Basic, Bearer }

/// <summary>How an integration's commands reach it for one site: a base URL and credentials (the secret encrypted).</summary>
public sealed class IntegrationConnection
{
    public int Id { get; set; }
    public int IntegrationId { get; set; }
    public int SiteId { get; set; }
    public Site? Site { get; set; }
    public required string BaseUrl { get; set; }
    public ConnectionAuth Auth { get; set; }
    public string? HeaderName { get; set; }
    public string? Username { get; set; }
    public string? SecretProtected { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>An event automation rule: applied in order to new events; the first that matches decides.</summary>
public sealed class AutomationRule
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public int Order { get; set; }
    public Core.Rules.RuleType Type { get; set; }
    /// <summary>The site the rule applies to; null with <see cref="CrossInternalSites"/> for every internal site.</summary>
    public int? SiteId { get; set; }
    public Site? Site { get; set; }
    public bool CrossInternalSites { get; set; }
    public bool Enabled { get; set; } = true;
    public required string ConditionJson { get; set; }
    public string? DismissalJson { get; set; }
    public string? EscalationJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A custom utility command: JavaScript run in the sandbox, with its parameter declaration.</summary>
public sealed class CustomCommand
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string NormalizedName { get; set; }
    public string? Description { get; set; }
    /// <summary>The parameter declaration, as JSON.</summary>
    public required string ParametersJson { get; set; }
    public required string Script { get; set; }
    /// <summary>The Event/Incident Data Formatter feature: the script defines format(event, context).</summary>
    public bool IsDataFormatter { get; set; }
    /// <summary>How long one call may run, in seconds (the script sandbox's own limits apply within it).</summary>
    public int TimeoutSeconds { get; set; } = CommandDefinition.DefaultTimeoutSeconds;
    public int CreatedByUserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One execution of a remote command: who, through which key, with what, and how it went.</summary>
public sealed class CommandRun
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public int KeyId { get; set; }
    public required string Command { get; set; }
    public int? SiteId { get; set; }
    public int? UserId { get; set; }
    public string? Username { get; set; }
    /// <summary>The parameters, with the values of parameters declared secret replaced.</summary>
    public string? ParametersJson { get; set; }
    public long DurationMilliseconds { get; set; }
    public long ResultBytes { get; set; }
    public string? Error { get; set; }
}

public enum IngestionStatus { Pending, Processing, Processed, Failed }

public sealed class Ingestion : Processing.ILeasedWork
{
    /// <summary>The refid returned to the sender.</summary>
    public required string Id { get; set; }
    public int KeyId { get; set; }
    public int IntegrationId { get; set; }
    public Integration? Integration { get; set; }
    public int SiteId { get; set; }
    public Site? Site { get; set; }
    public IntakeKind Intake { get; set; }
    public required byte[] Body { get; set; }
    public string? IdempotencyKey { get; set; }
    public string? SourceAddress { get; set; }
    public IngestionStatus Status { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public DateTimeOffset? ProcessedAt { get; set; }
    public int Attempts { get; set; }
    public string? ClaimedBy { get; set; }
    public DateTimeOffset? LeaseExpiresAt { get; set; }
    /// <summary>The processing log: raw data, output and errors, as JSON.</summary>
    public string? LogJson { get; set; }

    /// <summary>The W3C trace context of the request that carried it, so processing links to that trace.</summary>
    public string? TraceParent { get; set; }
}

public enum EventStatus { New, Dismissed, Escalated }

/// <summary>Rows that belong to a site and an integration and are listed by creation time.</summary>
public interface ISiteRecord
{
    long Id { get; }
    int SiteId { get; }
    Site? Site { get; }
    Integration? Integration { get; }
    DateTimeOffset CreatedAt { get; }
}

public sealed class Event : ISiteRecord
{
    public long Id { get; set; }
    public string? IngestionId { get; set; }
    public int IntegrationId { get; set; }
    public Integration? Integration { get; set; }
    public int SiteId { get; set; }
    public Site? Site { get; set; }
    public EventStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string? EventType { get; set; }
    public string? Title { get; set; }
    public string? Description { get; set; }
    public string? Severity { get; set; }
    public string? EventTime { get; set; }
    public string? SourceIp { get; set; }
    public string? DestinationIp { get; set; }
    public string? Hostname { get; set; }
    public string? Username { get; set; }
    public string? FileHash { get; set; }
    public string? ProcessName { get; set; }
    public string? CommandLine { get; set; }
    public string? Url { get; set; }
    public string? Domain { get; set; }
    public string? ExternalId { get; set; }
    public required string CustomFieldsJson { get; set; }
    public required string RawJson { get; set; }
    /// <summary>MITRE ATT&amp;CK techniques set on the event (a JSON array), or null.</summary>
    public string? TechniquesJson { get; set; }
    /// <summary>The automation rule that matched the event, and what it did (JSON), or null.</summary>
    public string? AutomationJson { get; set; }
    public string? DismissalReasonCode { get; set; }
    public string? DismissalReason { get; set; }
    /// <summary>A person dismissed or reopened it: a replay leaves its status, and the event, as they are.</summary>
    public bool StatusByPerson { get; set; }
    /// <summary>The request's item it was made from (<c>event 0</c>); null for events stored before replays existed.</summary>
    public string? ItemLabel { get; set; }
    /// <summary>When a replay last updated it in place.</summary>
    public DateTimeOffset? ReplayedAt { get; set; }
    /// <summary>Set when a replay found that the current definitions no longer make this event; it then leaves lists.</summary>
    public DateTimeOffset? SupersededAt { get; set; }
    /// <summary>The event that stands for it now, when it became a duplicate of one.</summary>
    public long? SupersededById { get; set; }
    public string? SupersededReason { get; set; }
    public List<IncidentEvent> Incidents { get; set; } = [];
}

/// <summary>
/// An investigation: the incident model's fields (wire names in <see cref="Core.Incidents.IncidentModel"/>),
/// its dynamic field sections, linked events and incidents, and its history of changes.
/// </summary>
public sealed class Incident : ISiteRecord
{
    public long Id { get; set; }
    public string? IngestionId { get; set; }
    public int? IntegrationId { get; set; }
    public Integration? Integration { get; set; }
    public int SiteId { get; set; }
    public Site? Site { get; set; }
    public required string IncidentType { get; set; }
    public required string Title { get; set; }
    public string? Description { get; set; }
    public required string Severity { get; set; }
    /// <summary>One of the configured statuses (Gatehouse:Incidents:Statuses).</summary>
    public required string Status { get; set; }
    public string? Stage { get; set; }
    public string? Priority { get; set; }
    public string? Disposition { get; set; }
    /// <summary>A JSON array of text.</summary>
    public string TagsJson { get; set; } = "[]";
    public string? Owner { get; set; }
    public string? Creator { get; set; }
    public string? Timezone { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ModifiedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public string? ClosedBy { get; set; }
    public DateTimeOffset? DueDate { get; set; }
    public string? Playbook { get; set; }
    public string? Conclusion { get; set; }
    /// <summary>A JSON array of usernames.</summary>
    public string TeamJson { get; set; } = "[]";
    public string? ExternalId { get; set; }
    /// <summary>The dynamic field sections: <c>{"section": {"field": value}}</c>.</summary>
    public string DynamicFieldsJson { get; set; } = "{}";
    public string? RawJson { get; set; }
    /// <summary>The request's item it was made from (<c>incident 0</c>), for incident intake; null otherwise.</summary>
    public string? ItemLabel { get; set; }
    /// <summary>Grows with every change: two changes made at once cannot both pass (the second is refused, not lost).</summary>
    public int Version { get; set; }
    public List<IncidentEvent> Events { get; set; } = [];

    public string Number => IncidentNumbers.Format(Id, CreatedAt);
}

/// <summary>A link between two incidents, stored once in each direction so either side lists it.</summary>
public sealed class IncidentLink
{
    public long IncidentId { get; set; }
    public long LinkedIncidentId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One change to an incident, as its history shows it.</summary>
public sealed class IncidentHistoryEntry
{
    public long Id { get; set; }
    public long IncidentId { get; set; }
    public Incident? Incident { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Actor { get; set; }
    /// <summary>created, edited, closed, linked, unlinked.</summary>
    public required string Action { get; set; }
    /// <summary>A JSON array of <c>{"field", "from", "to"}</c>, or for links <c>{"incidents"|"events": [...]}</c>.</summary>
    public required string ChangesJson { get; set; }
}

public sealed class IncidentEvent
{
    public long IncidentId { get; set; }
    public Incident? Incident { get; set; }
    public long EventId { get; set; }
    public Event? Event { get; set; }
}

/// <summary>
/// One row per cached topic (keys, sites, …): a fresh random version is written in the same
/// transaction as any change to that topic, so every node can tell its cache is stale.
/// </summary>
public sealed class ChangeVersion
{
    public required string Topic { get; set; }
    public required string Version { get; set; }
}

/// <summary>A named playbook; its definitions are kept as versions, and each run uses the version it started with.</summary>
public sealed class Playbook
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string NormalizedName { get; set; }
    public Core.Playbooks.PlaybookKind Kind { get; set; }
    public int CurrentVersion { get; set; }
    /// <summary>Deleted playbooks start no runs; their versions stay for the runs that used them.</summary>
    public bool Deleted { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
    public List<PlaybookVersion> Versions { get; set; } = [];
}

public sealed class PlaybookVersion
{
    public int Id { get; set; }
    public int PlaybookId { get; set; }
    public int Version { get; set; }
    public required string DefinitionJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
}

/// <summary>One run of a playbook on an event or incident, driven by whichever node holds its lease.</summary>
public sealed class PlaybookRun : Processing.ILeasedWork
{
    public required string Id { get; set; }
    public int PlaybookId { get; set; }
    public int PlaybookVersionId { get; set; }
    public PlaybookVersion? PlaybookVersion { get; set; }
    public required string PlaybookName { get; set; }
    public int Version { get; set; }
    public Core.Playbooks.PlaybookKind Kind { get; set; }
    public long? EventId { get; set; }
    public Event? Event { get; set; }
    public long? IncidentId { get; set; }
    public Incident? Incident { get; set; }
    public int SiteId { get; set; }
    public required string Trigger { get; set; }
    public Core.Playbooks.RunState Status { get; set; }
    public bool CancelRequested { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public int Attempts { get; set; }
    public string? ClaimedBy { get; set; }
    public DateTimeOffset? LeaseExpiresAt { get; set; }
    public List<PlaybookTaskRun> Tasks { get; set; } = [];
}

public sealed class PlaybookTaskRun
{
    public long Id { get; set; }
    public required string RunId { get; set; }
    public required string TaskId { get; set; }
    public Core.Playbooks.TaskState Status { get; set; }
    public int Attempts { get; set; }
    public string? InputJson { get; set; }
    public string? OutputJson { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public DateTimeOffset? NotBefore { get; set; }
    public long? DurationMs { get; set; }
}

public enum ReplayJobStatus { Queued, Running, Completed, Cancelled, Failed }

/// <summary>
/// Stored requests processed again with the current definitions, in the background, oldest first; whichever
/// node holds its lease works on it, resuming after the last ingestion it finished.
/// </summary>
public sealed class ReplayJob : Processing.ILeasedWork
{
    public required string Id { get; set; }
    /// <summary>The filter as the operator gave it, with <c>to</c> fixed at the job's creation.</summary>
    public required string FilterJson { get; set; }
    public bool RunPlaybooks { get; set; }
    public ReplayJobStatus Status { get; set; }
    public bool CancelRequested { get; set; }
    public int Total { get; set; }
    public int Done { get; set; }
    public int Changed { get; set; }
    public int Unchanged { get; set; }
    public int Skipped { get; set; }
    public int Failed { get; set; }
    /// <summary>The first problems met (refid and reason), a JSON array.</summary>
    public string ProblemsJson { get; set; } = "[]";
    public string? Error { get; set; }
    public DateTimeOffset? CursorReceivedAt { get; set; }
    public string? CursorRefid { get; set; }
    /// <summary>1 while the job is queued or running, else null: a unique index lets only one job be active at a time.</summary>
    public int? ActiveSlot { get; set; }
    public int? CreatedByUserId { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public string? ClaimedBy { get; set; }
    public DateTimeOffset? LeaseExpiresAt { get; set; }
    public int Attempts { get; set; }
}
