using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gatehouse.Core.Incidents;

/// <summary>
/// GetIncidents' parameters, read once: the time window on Date Created (UTC), incident numbers,
/// the filter, which static and dynamic fields to return, and the page.
/// </summary>
public sealed record IncidentQuery(
    DateTimeOffset? Start,
    DateTimeOffset? End,
    IReadOnlyList<(long Id, string? Number)>? Numbers,
    IncidentFilter Filter,
    IReadOnlyList<IncidentField> StaticFields,
    IReadOnlyList<string> UnknownStaticFields,
    IReadOnlyList<(string Section, string Field)> DynamicFields,
    int PageIndex,
    int PageSize,
    bool ForSentinel)
{
    public const int MaxPageSize = 1000;
    public const int DefaultPageSize = 100;
    public const int MaxPageIndex = 1_000_000;
    public const int MaxNumbers = 1000;
    public const int MaxFieldNames = 200;

    /// <summary>Row keys Microsoft Sentinel's data-collection rule (D3SOAR 3.0.1 and later) reads when the poller sends PollFromSentinel.</summary>
    public const string SentinelIncidentRaw = "IncidentRawData";
    public const string SentinelEventRaw = "EventRawData";

    public bool NeedsEventRaw => ForSentinel || StaticFields.Contains(IncidentModel.EventRaw);

    public static (IncidentQuery? Query, IReadOnlyList<string> Errors) Parse(JsonObject parameters, IncidentVocabulary vocabulary)
    {
        var errors = new List<string>();
        var start = IncidentRecord.ParseTime(parameters["Start Time"]);
        var end = IncidentRecord.ParseTime(parameters["End Time"]);
        if (start is { } s && end is { } e && e < s)
        {
            errors.Add("'End Time' is before 'Start Time'.");
        }
        List<(long, string?)>? numbers = null;
        if (parameters["Incident Numbers"] is JsonArray { Count: > MaxNumbers })
        {
            errors.Add($"'Incident Numbers' names at most {MaxNumbers} incidents.");
        }
        else if (parameters["Incident Numbers"] is JsonArray given)
        {
            numbers = [];
            foreach (var item in given)
            {
                if (IncidentNumbers.Parse(item) is { } parsed)
                {
                    numbers.Add(parsed);
                }
                else
                {
                    errors.Add($"'Incident Numbers' holds {item?.ToJsonString() ?? "null"}, which is not an incident number such as 20260113-42.");
                }
            }
        }
        var (filter, filterErrors) = IncidentFilter.Parse(parameters["Filter"], vocabulary);
        errors.AddRange(filterErrors);
        var (staticFields, unknown) = StaticFieldsOf(parameters["Static Fields"], errors);
        var dynamicFields = DynamicFieldsOf(parameters["Dynamic Fields"], errors);
        var pageIndex = Paging(parameters, "Page Index", 0, 0, MaxPageIndex, errors);
        var pageSize = Paging(parameters, "Page Size", DefaultPageSize, 1, MaxPageSize, errors);
        var forSentinel = parameters["PollFromSentinel"] is JsonValue poll && poll.GetValueKind() == JsonValueKind.True;
        return errors.Count > 0
            ? (null, errors)
            : (new IncidentQuery(start, end, numbers, filter!, staticFields, unknown, dynamicFields, pageIndex, pageSize, forSentinel), []);
    }

    /// <summary>One incident as a row of the answer.</summary>
    public JsonObject Row(IncidentRecord incident)
    {
        var row = IncidentProjection.Row(incident, StaticFields, DynamicFields);
        if (ForSentinel)
        {
            row[SentinelIncidentRaw] = incident[IncidentModel.IncidentRaw]?.DeepClone();
            row[SentinelEventRaw] = incident[IncidentModel.EventRaw]?.DeepClone();
        }
        return row;
    }

    private static (IReadOnlyList<IncidentField>, IReadOnlyList<string>) StaticFieldsOf(JsonNode? value, List<string> errors)
    {
        if (value is null || value is JsonArray { Count: 0 })
        {
            return (IncidentModel.Defaults, []);
        }
        if (value is not JsonArray names || names.Any(n => n is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
        {
            errors.Add("'Static Fields' must be a list of field names such as \"IR Number\" and \"Title\".");
            return ([], []);
        }
        if (names.Count > MaxFieldNames)
        {
            errors.Add($"'Static Fields' names at most {MaxFieldNames} fields.");
            return ([], []);
        }
        var fields = new List<IncidentField> { IncidentModel.Number };
        var unknown = new List<string>();
        foreach (var name in names.Select(n => n!.GetValue<string>()))
        {
            if (IncidentModel.ByWireName(name) is { } field)
            {
                if (!fields.Contains(field))
                {
                    fields.Add(field);
                }
            }
            else
            {
                unknown.Add(name);
            }
        }
        return (fields, unknown);
    }

    private static IReadOnlyList<(string, string)> DynamicFieldsOf(JsonNode? value, List<string> errors)
    {
        if (value is null)
        {
            return [];
        }
        var fields = new List<(string, string)>();
        if (value is JsonObject sections)
        {
            if (sections.Sum(s => s.Value is JsonArray names ? names.Count : 1) > MaxFieldNames)
            {
                errors.Add($"'Dynamic Fields' names at most {MaxFieldNames} fields.");
                return [];
            }
            foreach (var (section, names) in sections)
            {
                if (names is JsonArray list && list.All(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String))
                {
                    fields.AddRange(list.Select(n => (section, n!.GetValue<string>())));
                    continue;
                }
                errors.Add($"'Dynamic Fields.{section}' must be a list of field names.");
            }
            return fields;
        }
        errors.Add("'Dynamic Fields' must be an object of sections, each a list of field names: {\"Customer\": [\"Name\", \"Country\"]}.");
        return [];
    }

    /// <summary>A paging parameter within its range; absent, its default; anything else is an error, never silently the default.</summary>
    private static int Paging(JsonObject parameters, string name, int fallback, int min, int max, List<string> errors)
    {
        if (parameters[name] is not { } given)
        {
            return fallback;
        }
        if (Commands.CommandParameters.WholeNumber(given) is { } value && value >= min && value <= max)
        {
            return (int)value;
        }
        errors.Add($"'{name}' must be a whole number from {min} to {max}.");
        return fallback;
    }
}
