using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gatehouse.Core.Incidents;

/// <summary>
/// An incident's IR Number in the vendor's shape, the UTC day it was created and its id
/// (<c>20260113-2531</c>), and the ways callers name one: that number, or the bare id as text or a number.
/// </summary>
public static class IncidentNumbers
{
    public static string Format(long id, DateTimeOffset created) =>
        $"{created.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}-{id.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The id a number names and, for a full number, the text to check it against; null when it names nothing.</summary>
    public static (long Id, string? Number)? Parse(JsonNode? value)
    {
        if (value is not JsonValue scalar)
        {
            return null;
        }
        if (scalar.GetValueKind() == JsonValueKind.Number)
        {
            return long.TryParse(scalar.ToJsonString(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? (id, null) : null;
        }
        if (scalar.GetValueKind() != JsonValueKind.String)
        {
            return null;
        }
        var text = scalar.GetValue<string>().Trim();
        var dash = text.IndexOf('-');
        if (dash < 0)
        {
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bare) && bare > 0 ? (bare, null) : null;
        }
        return dash == 8 && DateTime.TryParseExact(text[..8], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            && long.TryParse(text[9..], NumberStyles.None, CultureInfo.InvariantCulture, out var numbered) && numbered > 0
            ? (numbered, text) : null;
    }

    /// <summary>Whether a parsed number names this incident (a full number must match its creation day too).</summary>
    public static bool Names((long Id, string? Number) parsed, long id, DateTimeOffset created) =>
        parsed.Id == id && (parsed.Number is null || parsed.Number == Format(id, created));
}
