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

    /// <summary>A parameter value recorded with a run is cut to this many characters of JSON.</summary>
    public const int MaxRecordedValueLength = 4096;

    /// <summary>A copy of the parameters fit to record: the values of parameters declared secret replaced, large values summarised.</summary>
    public JsonObject Redacted(JsonObject parameters)
    {
        var recorded = new JsonObject();
        foreach (var (name, value) in parameters)
        {
            var json = value?.ToJsonString();
            recorded[name] = Parameters.Any(p => p.Secret && p.Name == name) ? "[redacted]"
                : json is { Length: > MaxRecordedValueLength } ? $"[{json.Length} characters of JSON, not recorded]"
                : value?.DeepClone();
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
        new("Filter", P.List, Description: "Conditions {field, operator, value, section?}: a list is one AND-group; a list of lists is AND-groups OR-ed together. "
            + "Operators: =, !=, <, >, <=, >=, LIKE (% and _ wildcards), IS EMPTY, IS NOT EMPTY."),
        new("Incident Numbers", P.List, Description: "Only these incidents (IR Numbers such as 20260113-42)."),
        new("Static Fields", P.List, Description: "The incident fields to return, by name (IR Number, Title, Status, …); all but the raw data when empty."),
        new("Dynamic Fields", P.Object, Description: "Custom fields to return, {\"section\": [\"field\", …]}; each comes back as \"section - field\"."),
        // "PageIndex"/"PageSize" is how Sentinel's D3 Smart SOAR connector 3.1.0+ spells them; its poller rewrites PageIndex.
        new("Page Index", P.Integer, Default: 0, Description: "0-based page.", FromEnvelope: true, Aliases: ["PageIndex"]),
        new("Page Size", P.Integer, Default: 100, Description: "Incidents per page (1-1000).", Aliases: ["PageSize"]),
        new("Output Format", P.TextOrNumber, Default: "JSON", AllowedValues: ["JSON", "Json", "json", "2"], Description: "JSON (the vendor's code 2)."),
        new("PollFromSentinel", P.Boolean, Description: "Microsoft Sentinel's poller: each row also carries IncidentRawData and EventRawData."),
    ];

    private static readonly CommandParameter[] IncidentFieldsToSet =
    [
        new("Title", P.Text),
        new("Description", P.Text),
        new("Severity", P.Text, Description: "Critical, High, Medium, Low or Informational (any case)."),
        new("Status", P.Text, Description: "One of the configured statuses; closing is CloseIncident."),
        new("Stage", P.Text, Description: "One of the configured stages."),
        new("Priority", P.Text, Description: "One of the configured priorities."),
        new("Owner", P.Text, Description: "A user's name."),
        new("Tags", P.List),
        new("Timezone", P.Text, Description: "A time zone such as UTC or Europe/Paris."),
        new("Due Date", P.DateTime),
        new("Investigation Team", P.List, Description: "Users' names."),
        new("Dynamic Fields", P.Object, Description: "Custom fields by section, {\"section\": {\"field\": value}}; null removes a field."),
    ];

    private static readonly CommandParameter IncidentNumber =
        new("Incident Number", P.TextOrNumber, Required: true, Description: "The incident's IR Number (such as 20260113-42) or id.");

    public static readonly IReadOnlyList<CommandDefinition> All =
    [
        new("CreateIncident", "Create an incident on the request's site.",
        [
            new("Incident Type", P.Text, Required: true),
            .. IncidentFieldsToSet,
            new("Playbook", P.Text, Description: "An incident playbook to run on the new incident."),
            new("Raw Data", P.Object),
        ]),
        new("UpdateIncident", "Change fields of an incident of the request's site; every change is kept in its history.",
        [
            IncidentNumber,
            new("IR Type", P.Text),
            .. IncidentFieldsToSet,
            new("Disposition", P.Text, Description: "One of the configured dispositions."),
            new("Conclusion", P.Text),
        ]),
        new("CloseIncident", "Close an incident with its conclusion and disposition.",
        [
            IncidentNumber,
            new("Conclusion", P.Text, Required: true),
            new("Disposition", P.Text, Required: true, Description: "One of the configured dispositions."),
        ]),
        new("LinkIncidents", "Link incidents of the request's site to an incident.",
        [
            IncidentNumber,
            new("Linked Incident Numbers", P.List, Required: true),
        ]),
        new("UnlinkIncidents", "Remove links between an incident and other incidents.",
        [
            IncidentNumber,
            new("Linked Incident Numbers", P.List, Required: true),
        ]),
        new("GetIncidents", "List the site's incidents created in a time window, filtered and paged.", IncidentQuery),
        new("GetIncidentsWithNewParameters", "GetIncidents under the name Microsoft Sentinel's poller calls.", IncidentQuery),
        new("GetEvents", "List the site's events created in a time window, paged.",
        [
            new("Start Time", P.DateTime),
            new("End Time", P.DateTime),
            new("Status", P.Text, AllowedValues: ["New", "Dismissed", "Escalated"]),
            new("Page Index", P.Integer, Default: 0, FromEnvelope: true, Aliases: ["PageIndex"]),
            new("Page Size", P.Integer, Default: 100, Aliases: ["PageSize"]),
            new("Output Format", P.TextOrNumber, Default: "JSON", AllowedValues: ["JSON", "Json", "json", "2"]),
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
        new("LinkEventsToIncident", "Link events of the request's site to an incident.",
        [
            new("Incident ID", P.TextOrNumber, Required: true, Description: "The incident's id or IR Number."),
            new("Event IDs", P.List, Required: true),
        ]),
        new("UnlinkEventsFromIncident", "Remove links between an incident and events.",
        [
            new("Incident ID", P.TextOrNumber, Required: true, Description: "The incident's id or IR Number."),
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
