using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Gatehouse.Infrastructure;

/// <summary>
/// Configuration under the <c>Gatehouse</c> section (appsettings, <c>Gatehouse__X</c> variables, command line).
/// Every section with limits is marked <see cref="ValidateObjectMembersAttribute"/>, so
/// <see cref="GatehouseOptionsValidation"/> checks it at start (the sections without any, such as
/// Admin, Attack and Sigma, cannot be: the validator generator refuses them).
/// </summary>
public sealed class GatehouseOptions : IValidatableObject
{
    public const string Section = "Gatehouse";

    /// <summary>Checks that span options; each option's own limits are its attributes.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Database.IsPostgres && string.IsNullOrWhiteSpace(Database.ConnectionString))
        {
            yield return new ValidationResult("Gatehouse:Database:Provider is Postgres, so Gatehouse:Database:ConnectionString is required.");
        }
        if (string.Equals(Webhooks.ApiKeyHeader, Webhooks.JwtHeader, StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult(
                $"Gatehouse:Webhooks:ApiKeyHeader and Gatehouse:Webhooks:JwtHeader are both '{Webhooks.ApiKeyHeader}': a request's credential must say whether it is an API key or a token.");
        }
        if (!string.IsNullOrWhiteSpace(PublicBaseUrl)
            && !(Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)))
        {
            yield return new ValidationResult($"Gatehouse:PublicBaseUrl must be an absolute http or https URL such as https://soar.example.com, not '{PublicBaseUrl}'.");
        }
        foreach (var problem in Incidents.Vocabulary().Problems())
        {
            yield return new ValidationResult(problem);
        }
    }

    /// <summary>The incident model's allowed values.</summary>
    public IncidentOptions Incidents { get; set; } = new();

    /// <summary>Where the SQLite database and the data-protection key ring live. Default <c>./data</c> (relative paths: of the working directory).</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>The first administrator account, created on an empty database.</summary>
    public AdminOptions Admin { get; set; } = new();

    [ValidateObjectMembers]
    public DatabaseOptions Database { get; set; } = new();

    [ValidateObjectMembers]
    public IntakeOptions Intake { get; set; } = new();

    [ValidateObjectMembers]
    public WebhookOptions Webhooks { get; set; } = new();

    [ValidateObjectMembers]
    public AuthOptions Auth { get; set; } = new();

    [ValidateObjectMembers]
    public ClusterOptions Cluster { get; set; } = new();

    [ValidateObjectMembers]
    public OutboundOptions Outbound { get; set; } = new();

    public AttackOptions Attack { get; set; } = new();

    [ValidateObjectMembers]
    public SigmaOptions Sigma { get; set; } = new();

    [ValidateObjectMembers]
    public PlaybookOptions Playbooks { get; set; } = new();

    /// <summary>The processes that run formatters and custom commands.</summary>
    [ValidateObjectMembers]
    public SandboxOptions Sandbox { get; set; } = new();

    /// <summary>
    /// The address senders use to reach Gatehouse (e.g. <c>https://soar.example.com</c>, or with the
    /// instance path the vendor's URLs carry, <c>https://soar.example.com/ce_site</c>), used to build each
    /// key's request URLs. When empty, the address this server listens on is used (never the request's Host).
    /// </summary>
    public string? PublicBaseUrl { get; set; }
}

public sealed class AdminOptions
{
    /// <summary>Password of the <c>admin</c> user created on first start. When empty, one is generated and printed once.</summary>
    public string? Password { get; set; }
}

public sealed class DatabaseOptions
{
    public const string Sqlite = nameof(Sqlite);
    public const string Postgres = nameof(Postgres);

    /// <summary><c>Sqlite</c> (default, an embedded file in the data directory) or <c>Postgres</c> (for several nodes).</summary>
    [Required]
    [RegularExpression("(?i)^(Sqlite|Postgres)$", ErrorMessage = "The field {0} must be Sqlite or Postgres.")]
    public string Provider { get; set; } = Sqlite;

    /// <summary>Connection string; required for PostgreSQL, for SQLite the default is <c>gatehouse.db</c> in the data directory.</summary>
    public string? ConnectionString { get; set; }

    public bool IsPostgres => Provider.Equals(Postgres, StringComparison.OrdinalIgnoreCase);
}

public sealed class AttackOptions
{
    /// <summary>A MITRE ATT&amp;CK STIX bundle (enterprise-attack.json, STIX 2.0 or 2.1). Default: the one imported into the data directory.</summary>
    public string? BundlePath { get; set; }
}

public sealed class SigmaOptions
{
    /// <summary>A folder of Sigma rules (SigmaHQ's <c>rules</c>, or your own), read recursively at start-up. Default: none.</summary>
    public string? RulesPath { get; set; }

    /// <summary>
    /// The lowest rule level that reports a technique: informational, low, medium, high or critical. Default low —
    /// SigmaHQ's informational rules are for enriching and correlating (every logoff, every service start), not for alerts.
    /// </summary>
    [RegularExpression("(?i)^(informational|low|medium|high|critical)$", ErrorMessage = "Gatehouse:Sigma:MinimumLevel must be informational, low, medium, high or critical.")]
    public string MinimumLevel { get; set; } = "low";
}

/// <summary>Allowed incident values; each list left unset keeps its default (see <see cref="Core.Incidents.IncidentVocabulary.Default"/>).</summary>
public sealed class IncidentOptions
{
    /// <summary>Incident statuses; a new incident takes the first. Default Open, In Progress, Closed.</summary>
    public string[]? Statuses { get; set; }

    /// <summary>The status closing sets (must be one of <see cref="Statuses"/>). Default Closed.</summary>
    public string? ClosedStatus { get; set; }

    /// <summary>Incident stages. Default Detection, Triage, Investigation, Containment, Eradication, Recovery, Lessons Learned.</summary>
    public string[]? Stages { get; set; }

    /// <summary>Priorities, highest first (filters order them so). Default Critical, High, Medium, Low.</summary>
    public string[]? Priorities { get; set; }

    /// <summary>Dispositions an incident is closed with. Default True Positive, Benign Positive, False Positive, Duplicate, Undetermined.</summary>
    public string[]? Dispositions { get; set; }

    private Core.Incidents.IncidentVocabulary? _vocabulary;

    public Core.Incidents.IncidentVocabulary Vocabulary()
    {
        var defaults = Core.Incidents.IncidentVocabulary.Default;
        return _vocabulary ??= new(
            Statuses is { Length: > 0 } ? Statuses : defaults.Statuses,
            Stages is { Length: > 0 } ? Stages : defaults.Stages,
            Priorities is { Length: > 0 } ? Priorities : defaults.Priorities,
            Dispositions is { Length: > 0 } ? Dispositions : defaults.Dispositions,
            string.IsNullOrWhiteSpace(ClosedStatus) ? defaults.ClosedStatus : ClosedStatus);
    }
}

public sealed class PlaybookOptions
{
    /// <summary>Playbook tasks this node runs at once; more wait their turn.</summary>
    [Range(1, 256)]
    public int MaxConcurrentTasks { get; set; } = 8;

    /// <summary>Playbook runs this node drives at once; more stay queued in the database.</summary>
    [Range(1, 1000)]
    public int MaxActiveRuns { get; set; } = 32;

    /// <summary>How long a node's claim on a run lasts without renewal: after a crash, another node (or the restarted one) resumes the run this long after.</summary>
    [Range(2, 600)]
    public int LeaseSeconds { get; set; } = 15;
}

public sealed class OutboundOptions
{
    /// <summary>
    /// Hosts (names or addresses) integration commands may reach even though they resolve to loopback,
    /// link-local or private addresses. Everything else internal is refused.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>How long one outbound call may take, in seconds (default 30).</summary>
    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Largest response read from an outbound call, in bytes (default 5 MiB).</summary>
    [Range(1024, 256L * 1024 * 1024)]
    public long MaxResponseBytes { get; set; } = 5 * 1024 * 1024;
}

public sealed class ClusterOptions
{
    /// <summary>
    /// How often each node reads the change versions of what it caches (keys, settings, …), in
    /// milliseconds (default 250). On PostgreSQL a NOTIFY refreshes at once; this is the backstop.
    /// </summary>
    [Range(50, 60_000)]
    public int RefreshMilliseconds { get; set; } = 250;
}

public sealed class IntakeOptions
{
    /// <summary>Largest accepted webhook body in bytes (default 10 MiB); larger ones get 413.</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Deepest accepted JSON nesting (default 64); deeper bodies get 400.</summary>
    [Range(2, 128)]
    public int MaxJsonDepth { get; set; } = 64;

    /// <summary>Longest a sender may ask to wait for processing with <c>?wait=</c> (seconds, default 60).</summary>
    [Range(0, 600)]
    public int MaxWaitSeconds { get; set; } = 60;

    /// <summary>How long a node holds a claimed ingestion before another may take it over (seconds).</summary>
    [Range(5, 3600)]
    public int LeaseSeconds { get; set; } = 60;

    /// <summary>Processing attempts before an ingestion is marked failed.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Whether this node processes stored ingestions (default true); false makes an intake-only node.</summary>
    public bool Process { get; set; } = true;

    /// <summary>Requests waiting for their durable commit on this node; beyond it, 503 with Retry-After.</summary>
    [Range(1, 1_000_000)]
    public int MaxQueuedWrites { get; set; } = 10_000;

    /// <summary>Most requests one commit stores together (group commit).</summary>
    [Range(1, 10_000)]
    public int MaxCommitBatch { get; set; } = 512;

    /// <summary>Most stored requests one processing batch claims, plans and commits together (one deduplication query, one commit).</summary>
    [Range(1, 1_000)]
    public int ProcessBatchSize { get; set; } = 128;

    /// <summary>Stored but unprocessed ingestions (all nodes); beyond it, 503 with Retry-After until processing catches up.</summary>
    [Range(1, 100_000_000)]
    public int MaxBacklog { get; set; } = 200_000;
}

public sealed class WebhookOptions : IValidatableObject
{
    /// <summary>An HTTP header name (RFC 9110 token characters).</summary>
    private const string HeaderName = "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$";

    /// <summary>Request header that carries an API key (default <c>d3key</c>).</summary>
    [Required]
    [RegularExpression(HeaderName, ErrorMessage = "The field {0} must be an HTTP header name (letters, digits and !#$%&'*+.^_`|~-).")]
    public string ApiKeyHeader { get; set; } = "d3key";

    /// <summary>Request header that carries a JSON web token (default <c>d3jwt</c>).</summary>
    [Required]
    [RegularExpression(HeaderName, ErrorMessage = "The field {0} must be an HTTP header name (letters, digits and !#$%&'*+.^_`|~-).")]
    public string JwtHeader { get; set; } = "d3jwt";

    /// <summary>Requests per second each key may make, enforced by each node separately (default 50).</summary>
    [Range(1, 1_000_000)]
    public int RateLimitPerSecond { get; set; } = 50;

    /// <summary>Requests a key may make at once before the per-second rate applies (default 100).</summary>
    [Range(1, 1_000_000)]
    public int RateLimitBurst { get; set; } = 100;

    /// <summary>
    /// Reverse proxies (addresses or CIDR ranges) whose <c>X-Forwarded-For</c> is believed when a key's allow-list is checked and
    /// a request's source is recorded. Empty (the default): the header is ignored and the connection's own address counts.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Core.Auth.SourceAllowList.Parse(TrustedProxies, "Gatehouse:Webhooks:TrustedProxies").Errors.Select(error => new ValidationResult(error, [nameof(TrustedProxies)]));
}

public sealed class AuthOptions
{
    /// <summary>Lifetime of a bearer token from <c>POST /api/auth/token</c>, in minutes (default 480).</summary>
    [Range(1, 60 * 24 * 30)]
    public int TokenLifetimeMinutes { get; set; } = 480;

    /// <summary>Failed sign-ins in a row for one user before each further attempt must wait (1 s, then doubling). Default 5.</summary>
    [Range(1, 1000)]
    public int FreeFailuresPerUser { get; set; } = 5;

    /// <summary>Failed sign-ins from one source address within an hour, for any users, before the back-off starts (a success does not reset it). Default 20.</summary>
    [Range(1, 100_000)]
    public int FreeFailuresPerSource { get; set; } = 20;

    /// <summary>The longest wait the back-off imposes, in seconds (default 900: 15 minutes).</summary>
    [Range(1, 86_400)]
    public int MaxSignInDelaySeconds { get; set; } = 900;
}

/// <summary>
/// Scripts (data formatters, custom commands) run in separate sandbox processes, so a script that
/// overflows the stack, exhausts memory or hangs ends only its own process, never the server.
/// </summary>
public sealed class SandboxOptions
{
    /// <summary>How many sandbox processes may run custom commands at once. Default 2.</summary>
    [Range(1, 64)]
    public int Processes { get; set; } = 2;

    /// <summary>How many sandbox processes run data formatters, apart from the commands' so slow commands cannot hold up intake. Default 2.</summary>
    [Range(1, 64)]
    public int FormatterProcesses { get; set; } = 2;

    /// <summary>How long a data formatter may run on one event, in seconds. Default 2.</summary>
    [Range(1, 30)]
    public int FormatterTimeoutSeconds { get; set; } = 2;

    /// <summary>
    /// The formatter time one ingestion may use in all, in seconds (default 10): past it, its remaining
    /// events fail at once, so one request full of slow events cannot hold up everyone else's.
    /// </summary>
    [Range(1, 3600)]
    public int FormatterBudgetSeconds { get; set; } = 10;

    /// <summary>How many sandbox processes check scripts when they are saved. Default 1.</summary>
    [Range(1, 16)]
    public int CheckProcesses { get; set; } = 1;

    /// <summary>How many sandbox processes run the console's and the API's "run with these parameters" tries. Default 1.</summary>
    [Range(1, 16)]
    public int TryProcesses { get; set; } = 1;

    /// <summary>The managed-heap limit of each sandbox process, in MiB (the GC's hard limit). Default 256.</summary>
    [Range(32, 16384)]
    public int MemoryLimitMegabytes { get; set; } = 256;

    /// <summary>How long a new sandbox process may take to start, in seconds. Default 30.</summary>
    [Range(1, 600)]
    public int StartTimeoutSeconds { get; set; } = 30;

    /// <summary>A process is replaced after this many calls, so no state can build up in it. Default 10000.</summary>
    [Range(1, int.MaxValue)]
    public int MaxCallsPerProcess { get; set; } = 10_000;
}

/// <summary>
/// Checks every option at start (with ValidateOnStart), in every section: the source-generated
/// validator walks the sections marked <see cref="ValidateObjectMembersAttribute"/>, which plain
/// data-annotation validation does not. A failure names the option by its configuration key
/// (<c>Gatehouse:Intake:MaxAttempts</c>), as the operator sets it.
/// </summary>
public sealed partial class GatehouseOptionsValidation : IValidateOptions<GatehouseOptions>
{
    private readonly Generated _generated = new();

    public ValidateOptionsResult Validate(string? name, GatehouseOptions options)
    {
        var result = _generated.Validate(GatehouseOptions.Section, options);
        return result.Failed ? ValidateOptionsResult.Fail(result.Failures!.Select(ConfigurationKeys)) : result;
    }

    /// <summary>The generator names an option by its path with dots (<c>Gatehouse.Intake.MaxAttempts</c>); configuration keys use colons.</summary>
    private static string ConfigurationKeys(string failure) => DottedPath().Replace(failure, path => path.Value.Replace('.', ':'));

    [GeneratedRegex(@"\bGatehouse(\.[A-Z][A-Za-z]*)+")]
    private static partial Regex DottedPath();

    [OptionsValidator]
    private sealed partial class Generated : IValidateOptions<GatehouseOptions>;
}
