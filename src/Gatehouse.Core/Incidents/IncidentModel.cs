namespace Gatehouse.Core.Incidents;

public enum IncidentFieldKind { Text, Choice, List, Time, Json }

/// <summary>
/// One field of the incident model: its wire name (the vendor's, which commands and pollers use),
/// its admin-API name, what it holds, and whether an edit may set it (the others change through
/// closing, linking, or not at all).
/// </summary>
/// <param name="TextOnWire">A list that GetIncidents answers as one comma-separated text: Microsoft Sentinel's data-collection rule reads Tags and Investigation Team as strings.</param>
public sealed record IncidentField(string WireName, string ApiName, IncidentFieldKind Kind, bool Editable, Vocabulary? Choices = null, bool TextOnWire = false)
{
    public bool IsList => Kind == IncidentFieldKind.List;
}

/// <summary>The incident model's fields, by the vendor's wire names.</summary>
public static class IncidentModel
{
    public static readonly IncidentField Number = new("IR Number", "number", IncidentFieldKind.Text, false);
    public static readonly IncidentField Type = new("IR Type", "incidentType", IncidentFieldKind.Text, true);
    public static readonly IncidentField Title = new("Title", "title", IncidentFieldKind.Text, true);
    public static readonly IncidentField Description = new("Description", "description", IncidentFieldKind.Text, true);
    public static readonly IncidentField Status = new("Status", "status", IncidentFieldKind.Choice, true, Vocabulary.Status);
    public static readonly IncidentField Severity = new("Severity", "severity", IncidentFieldKind.Choice, true, Vocabulary.Severity);
    public static readonly IncidentField Stage = new("Stage", "stage", IncidentFieldKind.Choice, true, Vocabulary.Stage);
    public static readonly IncidentField Priority = new("Priority", "priority", IncidentFieldKind.Choice, true, Vocabulary.Priority);
    public static readonly IncidentField Disposition = new("Disposition", "disposition", IncidentFieldKind.Choice, true, Vocabulary.Disposition);
    public static readonly IncidentField Tags = new("Tags", "tags", IncidentFieldKind.List, true, TextOnWire: true);
    public static readonly IncidentField Owner = new("Owner", "owner", IncidentFieldKind.Text, true);
    public static readonly IncidentField Creator = new("Creator", "creator", IncidentFieldKind.Text, false);
    public static readonly IncidentField Timezone = new("Timezone", "timezone", IncidentFieldKind.Text, true);
    public static readonly IncidentField Created = new("Date Created", "createdAt", IncidentFieldKind.Time, false);
    public static readonly IncidentField Modified = new("Date Modified", "modifiedAt", IncidentFieldKind.Time, false);
    public static readonly IncidentField Closed = new("Date Closed", "closedAt", IncidentFieldKind.Time, false);
    public static readonly IncidentField ClosedBy = new("Closed By", "closedBy", IncidentFieldKind.Text, false);
    public static readonly IncidentField DueDate = new("Due Date", "dueDate", IncidentFieldKind.Time, true);
    public static readonly IncidentField Playbook = new("Playbook", "playbook", IncidentFieldKind.Text, false);
    public static readonly IncidentField Conclusion = new("Conclusion", "conclusion", IncidentFieldKind.Text, true);
    public static readonly IncidentField Team = new("Investigation Team", "investigationTeam", IncidentFieldKind.List, true, TextOnWire: true);
    public static readonly IncidentField LinkedIncidents = new("Linked Incidents", "linkedIncidents", IncidentFieldKind.List, false);
    public static readonly IncidentField IncidentRaw = new("Incident Raw Data", "raw", IncidentFieldKind.Json, false);
    public static readonly IncidentField EventRaw = new("Event Raw Data", "eventRaw", IncidentFieldKind.Json, false);
    public static readonly IncidentField Site = new("Site", "site", IncidentFieldKind.Text, false);
    public static readonly IncidentField ExternalId = new("External ID", "externalId", IncidentFieldKind.Text, false);
    public static readonly IncidentField EventIds = new("Event IDs", "eventIds", IncidentFieldKind.List, false);

    public static readonly IReadOnlyList<IncidentField> All =
    [
        Number, Type, Title, Description, Status, Severity, Stage, Priority, Disposition, Tags, Owner, Creator, Timezone,
        Created, Modified, Closed, ClosedBy, DueDate, Playbook, Conclusion, Team, LinkedIncidents, IncidentRaw, EventRaw,
        Site, ExternalId, EventIds,
    ];

    /// <summary>What GetIncidents returns when no Static Fields are named: all but the raw data, which can be large.</summary>
    public static readonly IReadOnlyList<IncidentField> Defaults = All.Where(f => f != IncidentRaw && f != EventRaw).ToList();

    /// <summary>Names earlier Gatehouse versions used for the same fields.</summary>
    private static readonly Dictionary<string, IncidentField> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Incident Number"] = Number,
        ["Incident Type"] = Type,
        ["Created Time"] = Created,
    };

    /// <summary>The field of a wire name (any case, or an earlier alias), or null.</summary>
    public static IncidentField? ByWireName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }
        var trimmed = name.Trim();
        return All.FirstOrDefault(f => string.Equals(f.WireName, trimmed, StringComparison.OrdinalIgnoreCase)) ?? Aliases.GetValueOrDefault(trimmed);
    }

    public static IncidentField? ByApiName(string? name) =>
        name is null ? null : All.FirstOrDefault(f => string.Equals(f.ApiName, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>How a dynamic field is named when returned flattened.</summary>
    public static string DynamicName(string section, string field) => $"{section} - {field}";
}
