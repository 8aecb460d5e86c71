using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace Gatehouse.Core.Auth;

/// <summary>
/// Equality of two JSON values as a token binds to a body: objects regardless of member order,
/// arrays in order, numbers by exact value (1 = 1.0 = 1e0, never through doubles), strings after unescaping, case-sensitive.
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

    private static bool NumbersEqual(JsonElement a, JsonElement b) => Canonical(a.GetRawText()) == Canonical(b.GetRawText());

    /// <summary>
    /// A JSON number as exact decimal text: sign, significant digits and exponent, so 1, 1.0, 10e-1
    /// and 1e0 are one value and 1e400 and 9e999 are two (no rounding through double or decimal).
    /// </summary>
    public static (bool Negative, string Digits, BigInteger Exponent) Canonical(string number)
    {
        var text = number.AsSpan();
        var negative = text.StartsWith("-");
        text = negative ? text[1..] : text;
        var e = text.IndexOfAny('e', 'E');
        var exponent = e < 0 ? BigInteger.Zero : BigInteger.Parse(text[(e + 1)..].TrimStart('+'), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = e < 0 ? text : text[..e];
        var dot = mantissa.IndexOf('.');
        var digits = dot < 0 ? mantissa.ToString() : string.Concat(mantissa[..dot], mantissa[(dot + 1)..]);
        if (dot >= 0)
        {
            exponent -= mantissa.Length - dot - 1;
        }
        digits = digits.TrimStart('0');
        var significant = digits.TrimEnd('0');
        exponent += digits.Length - significant.Length;
        return significant.Length == 0 ? (false, "0", BigInteger.Zero) : (negative, significant, exponent);
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
