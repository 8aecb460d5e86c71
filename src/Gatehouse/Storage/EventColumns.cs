using Gatehouse.Core.Intake;

namespace Gatehouse.Storage;

/// <summary>The standard data-model fields and the event columns that hold them.</summary>
public static class EventColumns
{
    private static readonly (string Field, Func<Event, string?> Get, Action<Event, string?> Set)[] Columns =
    [
        (EventFields.EventType, e => e.EventType, (e, v) => e.EventType = v),
        (EventFields.Title, e => e.Title, (e, v) => e.Title = v),
        (EventFields.Description, e => e.Description, (e, v) => e.Description = v),
        (EventFields.Severity, e => e.Severity, (e, v) => e.Severity = v),
        (EventFields.EventTime, e => e.EventTime, (e, v) => e.EventTime = v),
        (EventFields.SourceIp, e => e.SourceIp, (e, v) => e.SourceIp = v),
        (EventFields.DestinationIp, e => e.DestinationIp, (e, v) => e.DestinationIp = v),
        (EventFields.Hostname, e => e.Hostname, (e, v) => e.Hostname = v),
        (EventFields.Username, e => e.Username, (e, v) => e.Username = v),
        (EventFields.FileHash, e => e.FileHash, (e, v) => e.FileHash = v),
        (EventFields.ProcessName, e => e.ProcessName, (e, v) => e.ProcessName = v),
        (EventFields.CommandLine, e => e.CommandLine, (e, v) => e.CommandLine = v),
        (EventFields.Url, e => e.Url, (e, v) => e.Url = v),
        (EventFields.Domain, e => e.Domain, (e, v) => e.Domain = v),
        (EventFields.ExternalId, e => e.ExternalId, (e, v) => e.ExternalId = v),
    ];

    public static void Fill(Event evt, MappedFields fields)
    {
        foreach (var (field, _, set) in Columns)
        {
            set(evt, fields[field]);
        }
        evt.CustomFieldsJson = fields.Custom.ToJsonString();
    }

    /// <summary>The standard fields that have a value, by display name.</summary>
    public static Dictionary<string, string> Read(Event evt)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, get, _) in Columns)
        {
            if (get(evt) is { } value)
            {
                values[field] = value;
            }
        }
        return values;
    }
}
