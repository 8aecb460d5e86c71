using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gatehouse.Core.Incidents;

/// <summary>How a request names incident fields: the admin API's camelCase names or the vendor's wire names.</summary>
public enum IncidentNaming { Api, Wire }

/// <summary>One field's change: a static field, or a dynamic field of a section. Recorded as the incident's history.</summary>
public sealed record FieldChange(string Name, IncidentField? Field, string? Section, string? DynamicField, JsonNode? From, JsonNode? To);

/// <summary>
/// Decides what an edit or a close changes on an incident, or why it cannot: unknown or read-only
/// fields, values outside the configured lists, a status that only closing may set. Only real
/// changes are returned, so an edit that changes nothing records nothing.
/// </summary>
public static class IncidentEdits
{
    public const string DynamicFieldsWire = "Dynamic Fields";
    public const string DynamicFieldsApi = "dynamicFields";
    public const int MaxTextLength = 32_768;
    public const int MaxListItems = 200;
    public const int MaxDynamicValueLength = 65_536;
    public const int MaxDynamicFields = 500;

    public static (IReadOnlyList<FieldChange> Changes, IReadOnlyList<string> Errors) Edit(
        IncidentRecord current, JsonObject edit, IncidentNaming naming, IncidentVocabulary vocabulary)
    {
        var errors = new List<string>();
        var changes = new List<FieldChange>();
        var dynamicName = naming == IncidentNaming.Wire ? DynamicFieldsWire : DynamicFieldsApi;
        var named = new Dictionary<object, string>();
        foreach (var (name, value) in edit)
        {
            var target = (object?)(naming == IncidentNaming.Wire ? IncidentModel.ByWireName(name) : IncidentModel.ByApiName(name))
                ?? (string.Equals(name, dynamicName, StringComparison.OrdinalIgnoreCase) ? dynamicName : name);
            if (!named.TryAdd(target, name))
            {
                errors.Add($"'{name}' and '{named[target]}' name the same field; give it once.");
                continue;
            }
            if (string.Equals(name, dynamicName, StringComparison.OrdinalIgnoreCase))
            {
                DynamicChanges(current, value, name, changes, errors);
                continue;
            }
            var field = naming == IncidentNaming.Wire ? IncidentModel.ByWireName(name) : IncidentModel.ByApiName(name);
            if (field is null || !field.Editable)
            {
                var editable = IncidentModel.All.Where(f => f.Editable).Select(f => naming == IncidentNaming.Wire ? f.WireName : f.ApiName).Append(dynamicName);
                errors.Add(field is null
                    ? $"'{name}' is not an incident field that can be edited; editable fields: {string.Join(", ", editable)}."
                    : $"'{name}' cannot be edited: {ReadOnlyReason(field)}");
                continue;
            }
            if (HasNul(value))
            {
                errors.Add($"'{name}' contains a NUL character (\\u0000), which no field can hold.");
                continue;
            }
            var (ok, normalized) = Normalize(field, value, name, vocabulary, errors);
            if (!ok)
            {
                continue;
            }
            if (field == IncidentModel.Status && string.Equals((string?)normalized, vocabulary.ClosedStatus, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"'{name}' cannot be set to {vocabulary.ClosedStatus}: close the incident instead, with its conclusion and disposition.");
                continue;
            }
            Add(changes, field, current[field], normalized);
            if (field == IncidentModel.Status && IsClosed(current, vocabulary))
            {
                // Reopening: the incident is no longer closed; its history keeps when and by whom it was.
                Add(changes, IncidentModel.Closed, current[IncidentModel.Closed], null);
                Add(changes, IncidentModel.ClosedBy, current[IncidentModel.ClosedBy], null);
            }
        }
        return errors.Count > 0 ? ([], errors) : (changes, []);
    }

    /// <summary>Closing sets the closed status, the conclusion and the disposition, when and by whom.</summary>
    public static (IReadOnlyList<FieldChange> Changes, IReadOnlyList<string> Errors) Close(
        IncidentRecord current, JsonNode? conclusion, JsonNode? disposition, string actor, DateTimeOffset now,
        IncidentVocabulary vocabulary, IncidentNaming naming)
    {
        var errors = new List<string>();
        var (conclusionName, dispositionName) = naming == IncidentNaming.Wire ? ("Conclusion", "Disposition") : ("conclusion", "disposition");
        if (IsClosed(current, vocabulary))
        {
            errors.Add($"Incident {current[IncidentModel.Number]} is already closed; set its status to reopen it.");
        }
        var text = conclusion is JsonValue c && c.GetValueKind() == JsonValueKind.String ? c.GetValue<string>().Trim() : null;
        if (string.IsNullOrEmpty(text))
        {
            errors.Add($"'{conclusionName}' is required to close an incident: what the investigation concluded.");
        }
        else if (text.Length > MaxTextLength)
        {
            errors.Add($"'{conclusionName}' is longer than {MaxTextLength} characters.");
        }
        var chosen = disposition is JsonValue d && d.GetValueKind() == JsonValueKind.String ? vocabulary.Canonical(Vocabulary.Disposition, d.GetValue<string>()) : null;
        if (chosen is null)
        {
            errors.Add($"'{dispositionName}' is required to close an incident, one of: {string.Join(", ", vocabulary.Dispositions)}.");
        }
        if (errors.Count > 0)
        {
            return ([], errors);
        }
        var changes = new List<FieldChange>();
        Add(changes, IncidentModel.Status, current[IncidentModel.Status], vocabulary.Canonical(Vocabulary.Status, vocabulary.ClosedStatus));
        Add(changes, IncidentModel.Conclusion, current[IncidentModel.Conclusion], text);
        Add(changes, IncidentModel.Disposition, current[IncidentModel.Disposition], chosen);
        Add(changes, IncidentModel.Closed, current[IncidentModel.Closed], IncidentRecord.Time(now));
        Add(changes, IncidentModel.ClosedBy, current[IncidentModel.ClosedBy], actor);
        return (changes, []);
    }

    public static bool IsClosed(IncidentRecord incident, IncidentVocabulary vocabulary) =>
        incident[IncidentModel.Status] is JsonValue status && string.Equals(status.GetValue<string>(), vocabulary.ClosedStatus, StringComparison.OrdinalIgnoreCase);

    private static string ReadOnlyReason(IncidentField field) => field switch
    {
        _ when field == IncidentModel.Closed || field == IncidentModel.ClosedBy => "it is set by closing the incident.",
        _ when field == IncidentModel.LinkedIncidents || field == IncidentModel.EventIds => "link or unlink instead.",
        _ => "it is kept as the incident was created.",
    };

    private static (bool Ok, JsonNode? Value) Normalize(IncidentField field, JsonNode? value, string name, IncidentVocabulary vocabulary, List<string> errors)
    {
        var required = field == IncidentModel.Title || field == IncidentModel.Type || field == IncidentModel.Status || field == IncidentModel.Severity;
        if (value is null || (value is JsonValue blank && blank.GetValueKind() == JsonValueKind.String && string.IsNullOrWhiteSpace(blank.GetValue<string>())))
        {
            if (required)
            {
                errors.Add($"'{name}' cannot be empty.");
                return (false, null);
            }
            return (true, field.IsList ? new JsonArray() : null);
        }
        switch (field.Kind)
        {
            case IncidentFieldKind.List:
                return List(value, name, errors);
            case IncidentFieldKind.Time:
                if (IncidentRecord.ParseTime(value) is { } time)
                {
                    return (true, IncidentRecord.Time(time));
                }
                errors.Add($"'{name}' must be a time as {IncidentRecord.TimeFormat} (UTC) or ISO 8601, or null to clear it.");
                return (false, null);
        }
        if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
        {
            errors.Add($"'{name}' must be text.");
            return (false, null);
        }
        var text = v.GetValue<string>().Trim();
        if (field.Choices is { } choices)
        {
            if (vocabulary.Canonical(choices, text) is { } canonical)
            {
                return (true, canonical);
            }
            errors.Add($"'{name}' must be one of: {string.Join(", ", vocabulary.Of(choices))}.");
            return (false, null);
        }
        if (text.Length > MaxTextLength)
        {
            errors.Add($"'{name}' is longer than {MaxTextLength} characters.");
            return (false, null);
        }
        if (field == IncidentModel.Timezone && !KnownTimeZone(text))
        {
            errors.Add($"'{name}' must be a time zone such as UTC or Europe/Paris.");
            return (false, null);
        }
        return (true, text);
    }

    /// <summary>A list of text, or one text of comma-separated items; duplicates dropped, order kept.</summary>
    private static (bool Ok, JsonNode? Value) List(JsonNode value, string name, List<string> errors)
    {
        // Not `array : [value]`: that collection expression would be a new JsonArray, which cannot adopt a node of the request.
        IEnumerable<JsonNode?> items = value is JsonArray array ? array : new[] { value };
        var texts = new List<string>();
        foreach (var item in items)
        {
            if (item is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
            {
                errors.Add($"'{name}' must be a list of text.");
                return (false, null);
            }
            texts.AddRange(v.GetValue<string>().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        }
        var distinct = texts.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (distinct.Count > MaxListItems || distinct.Any(t => t.Length > 400))
        {
            errors.Add($"'{name}' takes at most {MaxListItems} items of at most 400 characters.");
            return (false, null);
        }
        return (true, new JsonArray(distinct.Select(t => (JsonNode)t).ToArray()));
    }

    private static void DynamicChanges(IncidentRecord current, JsonNode? value, string name, List<FieldChange> changes, List<string> errors)
    {
        if (value is not JsonObject sections)
        {
            errors.Add($"'{name}' must be an object of sections, each an object of fields: {{\"Enrichment\": {{\"Verdict\": \"Malicious\"}}}}.");
            return;
        }
        if (sections.Sum(s => s.Value is JsonObject fields ? fields.Count : 1) > MaxDynamicFields)
        {
            errors.Add($"'{name}' sets more than {MaxDynamicFields} fields at once.");
            return;
        }
        if (HasNul(sections) || sections.Any(s => s.Key.Contains('\0') || (s.Value as JsonObject)?.Any(f => f.Key.Contains('\0')) == true))
        {
            errors.Add($"'{name}' contains a NUL character (\\u0000), which no field can hold.");
            return;
        }
        foreach (var (section, fields) in sections)
        {
            if (string.IsNullOrWhiteSpace(section) || fields is not JsonObject members)
            {
                errors.Add($"'{name}.{section}' must be an object of fields by name (null removes a field).");
                continue;
            }
            foreach (var (field, newValue) in members)
            {
                if (!JoinableName(section) || !JoinableName(field))
                {
                    errors.Add($"'{name}.{section}.{field}': section and field names must not be empty, contain ' - ' or begin or end with '-': "
                        + "they are joined as 'section - field' on the wire, and must come apart again.");
                    continue;
                }
                if (newValue is not null && newValue.ToJsonString().Length > MaxDynamicValueLength)
                {
                    errors.Add($"'{name}.{section}.{field}' is larger than {MaxDynamicValueLength} characters of JSON.");
                    continue;
                }
                var from = current.Dynamic(section, field);
                if (!JsonNode.DeepEquals(from, newValue))
                {
                    changes.Add(new FieldChange(IncidentModel.DynamicName(section.Trim(), field.Trim()), null, section.Trim(), field.Trim(), from?.DeepClone(), newValue?.DeepClone()));
                }
            }
        }
    }

    private static bool HasNul(JsonNode? node) => node switch
    {
        JsonObject obj => obj.Any(p => HasNul(p.Value)),
        JsonArray array => array.Any(HasNul),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>().Contains('\0'),
        _ => false,
    };

    private static bool JoinableName(string name)
    {
        var trimmed = name.Trim();
        return trimmed.Length > 0 && !trimmed.Contains(" - ", StringComparison.Ordinal) && !trimmed.StartsWith('-') && !trimmed.EndsWith('-');
    }

    private static void Add(List<FieldChange> changes, IncidentField field, JsonNode? from, JsonNode? to)
    {
        var empty = (JsonNode? node) => node is null || node is JsonArray { Count: 0 };
        if (JsonNode.DeepEquals(from, to) || (empty(from) && empty(to)))
        {
            return;
        }
        changes.RemoveAll(c => c.Field == field);
        changes.Add(new FieldChange(field.WireName, field, null, null, from?.DeepClone(), to?.DeepClone()));
    }

    private static bool KnownTimeZone(string id)
    {
        try
        {
            TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }
}
