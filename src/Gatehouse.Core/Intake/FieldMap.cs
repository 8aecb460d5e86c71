using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gatehouse.Core.Intake;

/// <summary>One mapping row: a data-model field and the JSONPath (relative to the item) that fills it.</summary>
public sealed record FieldMappingRow(string Field, string Source);

/// <summary>The values a field map produced for one item.</summary>
public sealed class MappedFields
{
    /// <summary>Standard fields by display name, each the source's text (objects and arrays as JSON).</summary>
    public Dictionary<string, string> Standard { get; } = new(StringComparer.Ordinal);

    /// <summary>Custom fields keep their JSON value.</summary>
    public JsonObject Custom { get; } = [];

    public string? this[string standardField] => Standard.GetValueOrDefault(standardField);

    public JsonObject ToJson()
    {
        var json = new JsonObject();
        foreach (var (name, value) in Standard)
        {
            json[name] = value;
        }
        foreach (var (name, value) in Custom)
        {
            json[name] = value?.DeepClone();
        }
        return json;
    }
}

/// <summary>A validated set of mapping rows, ready to apply to many items.</summary>
public sealed class FieldMap
{
    private readonly IReadOnlyList<(string Field, bool IsStandard, JsonPath Source)> _rows;

    private FieldMap(IReadOnlyList<(string, bool, JsonPath)> rows) => _rows = rows;

    public static readonly FieldMap Empty = new([]);

    public static FieldMap Compile(FieldCatalog catalog, IEnumerable<FieldMappingRow>? rows, ICollection<string> errors)
    {
        var compiled = new List<(string, bool, JsonPath)>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var index = 0;
        foreach (var row in rows ?? [])
        {
            var label = $"fieldMappings[{index++}]";
            if (string.IsNullOrWhiteSpace(row.Field))
            {
                errors.Add($"{label}: 'field' is required.");
                continue;
            }
            var standard = catalog.StandardName(row.Field);
            var field = standard ?? row.Field.Trim();
            if (!seen.Add(field))
            {
                errors.Add($"{label}: the field '{field}' is mapped more than once.");
                continue;
            }
            if (!JsonPath.TryParse(row.Source, out var source, out var error))
            {
                errors.Add($"{label} ({field}): {error}.");
                continue;
            }
            compiled.Add((field, standard is not null, source));
        }
        return new FieldMap(compiled);
    }

    public MappedFields Apply(JsonNode item)
    {
        var mapped = new MappedFields();
        foreach (var (field, isStandard, source) in _rows)
        {
            var found = source.Select(item).Where(node => node is not null).ToList();
            if (found.Count == 0)
            {
                continue;
            }
            JsonNode value = found.Count == 1 ? found[0]!.DeepClone() : new JsonArray(found.Select(n => n!.DeepClone()).ToArray());
            if (isStandard)
            {
                mapped.Standard[field] = AsText(value);
            }
            else
            {
                mapped.Custom[field] = value;
            }
        }
        if (mapped.Standard.TryGetValue(EventFields.Severity, out var severity)
            && Severity.Normalize(severity) is { } level)
        {
            mapped.Standard[EventFields.Severity] = level;
        }
        return mapped;
    }

    /// <summary>
    /// The field's text; a NUL character (valid in JSON, refused by PostgreSQL text columns) becomes
    /// U+FFFD here, while the event's raw JSON keeps it escaped and exact.
    /// </summary>
    private static string AsText(JsonNode value)
    {
        var text = value is JsonValue scalar && scalar.GetValueKind() == JsonValueKind.String
            ? scalar.GetValue<string>()
            : value.ToJsonString();
        return text.Contains('\0') ? text.Replace('\0', '\uFFFD') : text;
    }
}
