namespace Gatehouse.Core.Intake;

/// <summary>The standard fields a field mapping can fill, by display name.</summary>
public sealed class FieldCatalog
{
    private readonly Dictionary<string, string> _byKey;

    private FieldCatalog(params string[] displayNames)
    {
        Names = displayNames;
        _byKey = displayNames.ToDictionary(Key, name => name, StringComparer.Ordinal);
    }

    public IReadOnlyList<string> Names { get; }

    public static readonly FieldCatalog Event = new(
        EventFields.EventType, EventFields.Title, EventFields.Description, EventFields.Severity,
        EventFields.EventTime, EventFields.SourceIp, EventFields.DestinationIp, EventFields.Hostname,
        EventFields.Username, EventFields.FileHash, EventFields.ProcessName, EventFields.CommandLine,
        EventFields.Url, EventFields.Domain, EventFields.ExternalId);

    public static readonly FieldCatalog Incident = new(
        IncidentFields.IncidentType, IncidentFields.Title, IncidentFields.Description,
        IncidentFields.Severity, IncidentFields.Owner, IncidentFields.ExternalId);

    /// <summary>
    /// The standard display name for <paramref name="field"/> ("source ip", "SourceIP" and
    /// "Source_IP" all name "Source IP"), or null when it names a custom field.
    /// </summary>
    public string? StandardName(string field) => _byKey.GetValueOrDefault(Key(field));

    private static string Key(string field) =>
        new(field.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}

public static class EventFields
{
    public const string EventType = "Event Type";
    public const string Title = "Title";
    public const string Description = "Description";
    public const string Severity = "Severity";
    public const string EventTime = "Event Time";
    public const string SourceIp = "Source IP";
    public const string DestinationIp = "Destination IP";
    public const string Hostname = "Hostname";
    public const string Username = "Username";
    public const string FileHash = "File Hash";
    public const string ProcessName = "Process Name";
    public const string CommandLine = "Command Line";
    public const string Url = "URL";
    public const string Domain = "Domain";
    public const string ExternalId = "External ID";
}

public static class IncidentFields
{
    public const string IncidentType = "Incident Type";
    public const string Title = "Title";
    public const string Description = "Description";
    public const string Severity = "Severity";
    public const string Owner = "Owner";
    public const string ExternalId = "External ID";
}

public static class Severity
{
    public static readonly IReadOnlyList<string> Levels = ["Critical", "High", "Medium", "Low", "Informational"];

    /// <summary>The canonical level for common spellings ("crit", "moderate", "info"), or null.</summary>
    public static string? Normalize(string? value) =>
        value?.Trim().ToLowerInvariant() switch
        {
            "critical" or "crit" => "Critical",
            "high" => "High",
            "medium" or "med" or "moderate" => "Medium",
            "low" => "Low",
            "informational" or "information" or "info" => "Informational",
            _ => null,
        };
}
