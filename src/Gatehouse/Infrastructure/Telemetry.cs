using System.Diagnostics;

namespace Gatehouse.Infrastructure;

/// <summary>One activity source per subsystem; traces are exported when an OTLP endpoint is configured.</summary>
public static class Telemetry
{
    public const string ServiceName = "gatehouse";

    public static readonly ActivitySource Webhooks = new("Gatehouse.Webhooks");
    public static readonly ActivitySource Intake = new("Gatehouse.Intake");
    public static readonly ActivitySource Commands = new("Gatehouse.Commands");
    public static readonly ActivitySource Playbooks = new("Gatehouse.Playbooks");

    public static readonly IReadOnlyList<string> SourceNames = [Webhooks.Name, Intake.Name, Commands.Name, Playbooks.Name];

    /// <summary>
    /// The W3C trace context to store with work that continues elsewhere: the current activity's, else
    /// the caller's <c>traceparent</c> header when it is well formed (this node may not trace, the one processing may).
    /// </summary>
    public static string? TraceParentOf(HttpContext context)
    {
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C, Id: { Length: <= 64 } id })
        {
            return id;
        }
        string? header = context.Request.Headers["traceparent"];
        return header is { Length: <= 64 } && ActivityContext.TryParse(header, null, out _) ? header : null;
    }

    /// <summary>Links to the stored trace contexts that parse; a bad value (stored by an older version, say) is skipped.</summary>
    public static List<ActivityLink> LinksTo(IEnumerable<string?> traceParents) =>
        traceParents.Select(t => t is not null && ActivityContext.TryParse(t, null, out var context) ? new ActivityLink(context) : (ActivityLink?)null)
            .OfType<ActivityLink>().ToList();
}
