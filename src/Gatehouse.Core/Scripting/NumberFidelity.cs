using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gatehouse.Core.Scripting;

/// <summary>
/// JavaScript numbers are doubles, so an event that goes through a script comes back with
/// 9007199254740993 as 9007199254740992 and 1e400 as null, though the script never touched them.
/// Where the result still holds, at the same place, the value the original number becomes as a
/// double, the original's exact text is put back; numbers the script changed stay as it made them.
/// </summary>
public static class NumberFidelity
{
    public static JsonNode? Restore(JsonNode? original, JsonNode? result) => (original, result) switch
    {
        (JsonObject before, JsonObject after) => RestoreMembers(before, after),
        (JsonArray before, JsonArray after) => RestoreItems(before, after),
        (JsonValue before, _) when before.GetValueKind() == JsonValueKind.Number && AsDouble(before) is var d
            && (result is null ? !double.IsFinite(d) : result is JsonValue after && after.GetValueKind() == JsonValueKind.Number && AsDouble(after) == d)
            => before.DeepClone(),
        _ => result,
    };

    private static JsonObject RestoreMembers(JsonObject before, JsonObject after)
    {
        foreach (var (name, value) in after.ToList())
        {
            if (before.TryGetPropertyValue(name, out var original))
            {
                var restored = Restore(original, value);
                if (!ReferenceEquals(restored, value))
                {
                    after[name] = restored;
                }
            }
        }
        return after;
    }

    private static JsonArray RestoreItems(JsonArray before, JsonArray after)
    {
        for (var i = 0; i < Math.Min(before.Count, after.Count); i++)
        {
            var value = after[i];
            var restored = Restore(before[i], value);
            if (!ReferenceEquals(restored, value))
            {
                after[i] = restored;
            }
        }
        return after;
    }

    private static double AsDouble(JsonValue number) =>
        double.TryParse(number.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : double.NaN;
}
