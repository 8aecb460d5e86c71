using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gatehouse.Core.Incidents;

/// <summary>
/// An incident as the wire sees it: each field's value by wire name (times as
/// <c>yyyy-MM-dd HH:mm:ss</c> UTC, lists as arrays) and the dynamic field sections
/// (<c>{section: {field: value}}</c>). Filters, projections and edits work on this.
/// </summary>
public sealed class IncidentRecord(IReadOnlyDictionary<IncidentField, JsonNode?> values, JsonObject dynamicSections)
{
    public const string TimeFormat = "yyyy-MM-dd HH:mm:ss";

    public JsonNode? this[IncidentField field] => values.GetValueOrDefault(field);

    public JsonObject DynamicSections { get; } = dynamicSections;

    /// <summary>A dynamic field's value, section and field matched case-insensitively; null when absent.</summary>
    public JsonNode? Dynamic(string section, string field) =>
        Member(Member(DynamicSections, section) as JsonObject, field);

    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    public static JsonNode? Time(DateTimeOffset? value) => value is { } v ? Time(v) : null;

    /// <summary>A time as filters and parameters give it: <c>yyyy-MM-dd HH:mm:ss</c> (UTC), ISO 8601, or epoch seconds.</summary>
    public static DateTimeOffset? ParseTime(JsonNode? value)
    {
        if (value is not JsonValue scalar)
        {
            return null;
        }
        if (scalar.GetValueKind() == JsonValueKind.Number
            && double.TryParse(scalar.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var epoch)
            && epoch is >= -62135596800 and <= 253402300799)
        {
            return DateTimeOffset.FromUnixTimeMilliseconds((long)(epoch * 1000));
        }
        if (scalar.GetValueKind() != JsonValueKind.String)
        {
            return null;
        }
        var text = scalar.GetValue<string>().Trim();
        if (DateTimeOffset.TryParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var plain))
        {
            return plain;
        }
        return text.Length >= 10 && char.IsAsciiDigit(text[0])
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var iso)
            ? iso : null;
    }

    internal static JsonNode? Member(JsonObject? node, string name)
    {
        if (node is null)
        {
            return null;
        }
        if (node.TryGetPropertyValue(name, out var exact))
        {
            return exact;
        }
        return node.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
    }
}
