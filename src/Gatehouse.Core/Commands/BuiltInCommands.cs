using System.Text.Json.Nodes;
using P = Gatehouse.Core.Commands.ParameterType;

namespace Gatehouse.Core.Commands;

/// <summary>A utility command: its name and its parameter declaration.</summary>
public sealed record CommandDefinition(string Name, string Description, IReadOnlyList<CommandParameter> Parameters, int TimeoutSeconds = CommandDefinition.DefaultTimeoutSeconds)
{
    public const int DefaultTimeoutSeconds = 30;
    public const int MaxTimeoutSeconds = 600;

    private CommandParameters? _compiled;

    /// <summary>The declaration compiled into a JSON Schema, once.</summary>
    public CommandParameters Compiled => _compiled ??= new CommandParameters(Parameters);

    /// <summary>A copy of the parameters fit to record: the values of parameters declared secret replaced.</summary>
    public JsonObject Redacted(JsonObject parameters)
    {
        var recorded = (JsonObject)parameters.DeepClone();
        foreach (var secret in Parameters.Where(p => p.Secret && recorded.ContainsKey(p.Name)))
        {
            recorded[secret.Name] = "[redacted]";
        }
        return recorded;
    }
}

/// <summary>The built-in utility commands and their parameters.</summary>
public static class BuiltInCommands
{
    private static readonly CommandParameter[] IncidentQuery =
    [
        new("Start Time", P.DateTime, Description: "Incidents created at or after this time (UTC)."),
        new("End Time", P.DateTime, Description: "Incidents created before this time (UTC)."),
        new("Page Index", P.Integer, Default: 0, Description: "0-based page."),
        new("Page Size", P.Integer, Default: 100, Description: "Incidents per page (1-1000)."),
        new("Static Fields", P.List, Description: "The incident fields to return; all when empty."),
        new("Output Format", P.Text, Default: "JSON", AllowedValues: ["JSON", "Json", "json"]),
        // Microsoft Sentinel's D3SOAR poller sends this; it changes nothing.
        new("PollFromSentinel", P.Boolean, Hidden: true),
    ];

    public static readonly IReadOnlyList<CommandDefinition> All =
    [
        new("CreateIncident", "Create an incident on the request's site.",
        [
            new("Incident Type", P.Text, Required: true),
            new("Title", P.Text),
            new("Description", P.Text),
            new("Severity", P.Text, Default: "Medium", AllowedValues: ["Critical", "High", "Medium", "Low", "Informational"]),
            new("Owner", P.Text),
            new("Playbook", P.Text, Description: "An incident playbook to run on the new incident."),
            new("Due Date", P.DateTime),
            new("Raw Data", P.Object),
        ]),
        new("GetIncidents", "List the site's incidents created in a time window, paged.", IncidentQuery),
        new("GetIncidentsWithNewParameters", "GetIncidents under the name Microsoft Sentinel's poller calls.", IncidentQuery),
        new("GetEvents", "List the site's events created in a time window, paged.",
        [
            new("Start Time", P.DateTime),
            new("End Time", P.DateTime),
            new("Status", P.Text, AllowedValues: ["New", "Dismissed", "Escalated"]),
            new("Page Index", P.Integer, Default: 0),
            new("Page Size", P.Integer, Default: 100),
        ]),
        new("DismissEvents", "Dismiss an event and the events related to it.",
        [
            new("Source Event ID", P.Integer, Required: true),
            new("Relevant Event IDs", P.List),
            new("Reason Code", P.Text),
            new("Dismissal Reason", P.Text),
        ]),
        new("SetEventTechniques", "Set the MITRE ATT&CK techniques of events.",
        [
            new("Event IDs", P.List, Required: true),
            new("Techniques", P.List, Required: true, Description: "Technique IDs such as T1059.001."),
        ]),
        new("LinkEventsToIncident", "Link events to an incident.",
        [
            new("Incident ID", P.Integer, Required: true),
            new("Event IDs", P.List, Required: true),
        ]),
        new("ExtractArtifacts", "Extract IP addresses, domains, URLs, hashes and e-mail addresses from text.",
        [
            new("Text", P.Text, Required: true),
        ]),
        new("MitreTtpSearch", "Find MITRE ATT&CK technique and tactic IDs in text.",
        [
            new("Text", P.Text, Required: true),
        ]),
    ];

    public static IReadOnlyList<string> Names { get; } = All.Select(c => c.Name).ToList();

    /// <summary>The command's canonical name when <paramref name="name"/> names a built-in (any case), else null.</summary>
    public static string? Find(string name) => Definition(name)?.Name;

    public static CommandDefinition? Definition(string name) =>
        All.FirstOrDefault(c => string.Equals(c.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));
}
