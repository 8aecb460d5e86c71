using System.Globalization;
using System.Text.Json;

namespace Gatehouse.Core.Auth;

/// <summary>
/// Equality of two JSON values as a token binds to a body: objects regardless of member order,
/// arrays in order, numbers by value (1 = 1.0 = 1e0), strings after unescaping, case-sensitive.
/// </summary>
public static class JsonEquality
{
    public static bool AreEqual(JsonElement a, JsonElement b)
    {
        if (IsNumber(a) && IsNumber(b))
        {
            return NumbersEqual(a, b);
        }
        if (a.ValueKind != b.ValueKind)
        {
            return false;
        }
        switch (a.ValueKind)
        {
            case JsonValueKind.String:
                return string.Equals(a.GetString(), b.GetString(), StringComparison.Ordinal);
            case JsonValueKind.True:
            case JsonValueKind.False:
            case JsonValueKind.Null:
                return true;
            case JsonValueKind.Array:
                if (a.GetArrayLength() != b.GetArrayLength())
                {
                    return false;
                }
                using (var left = a.EnumerateArray())
                using (var right = b.EnumerateArray())
                {
                    while (left.MoveNext() && right.MoveNext())
                    {
                        if (!AreEqual(left.Current, right.Current))
                        {
                            return false;
                        }
                    }
                }
                return true;
            case JsonValueKind.Object:
                var leftMembers = Members(a);
                var rightMembers = Members(b);
                return leftMembers is not null && rightMembers is not null
                    && leftMembers.Count == rightMembers.Count
                    && leftMembers.All(m => rightMembers.TryGetValue(m.Key, out var other) && AreEqual(m.Value, other));
            default:
                return false;
        }
    }

    private static bool IsNumber(JsonElement element) => element.ValueKind == JsonValueKind.Number;

    private static bool NumbersEqual(JsonElement a, JsonElement b)
    {
        if (a.TryGetDecimal(out var x) && b.TryGetDecimal(out var y))
        {
            return x == y;
        }
        return double.TryParse(a.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var p)
            && double.TryParse(b.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var q)
            && p.Equals(q);
    }

    /// <summary>Null when a member name repeats: such an object is ambiguous and never equal.</summary>
    private static Dictionary<string, JsonElement>? Members(JsonElement element)
    {
        var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!members.TryAdd(property.Name, property.Value))
            {
                return null;
            }
        }
        return members;
    }
}
