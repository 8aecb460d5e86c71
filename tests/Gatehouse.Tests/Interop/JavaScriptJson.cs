using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gatehouse.Tests.Interop;

/// <summary>
/// ECMAScript's <c>JSON.parse</c> and <c>JSON.stringify</c> for the values a connector's body holds, so a test can
/// produce the exact bytes a Node.js client sends: compact, keys in JavaScript's own order (integer-like keys first,
/// ascending, then the rest as inserted), strings escaped as <c>JSON.stringify</c> does, numbers as <c>Number#toString</c>.
/// </summary>
public static class JavaScriptJson
{
    /// <summary><c>JSON.parse(text)</c>: false where it would throw (empty text, not JSON).</summary>
    public static bool TryParse(string text, out JsonNode? value)
    {
        try
        {
            value = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
            return true;
        }
        catch (JsonException)
        {
            value = null;
            return false;
        }
    }

    /// <summary><c>JSON.stringify(value)</c>.</summary>
    public static string Stringify(JsonNode? value)
    {
        var text = new StringBuilder();
        Write(text, value);
        return text.ToString();
    }

    private static void Write(StringBuilder text, JsonNode? value)
    {
        switch (value)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject obj:
                text.Append('{');
                var first = true;
                foreach (var (name, member) in JavaScriptOrder(obj))
                {
                    text.Append(first ? "" : ",");
                    first = false;
                    Quote(text, name);
                    text.Append(':');
                    Write(text, member);
                }
                text.Append('}');
                break;
            case JsonArray array:
                text.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    text.Append(i == 0 ? "" : ",");
                    Write(text, array[i]);
                }
                text.Append(']');
                break;
            default:
                var scalar = value.AsValue();
                switch (scalar.GetValueKind())
                {
                    case JsonValueKind.String:
                        Quote(text, scalar.GetValue<string>());
                        break;
                    case JsonValueKind.Number:
                        text.Append(Number(double.Parse(scalar.ToJsonString(), CultureInfo.InvariantCulture)));
                        break;
                    default:
                        text.Append(scalar.ToJsonString());
                        break;
                }
                break;
        }
    }

    /// <summary>OrdinaryOwnPropertyKeys: array-index keys ("0" … "4294967294") ascending, then string keys in insertion order.</summary>
    private static IEnumerable<KeyValuePair<string, JsonNode?>> JavaScriptOrder(JsonObject obj)
    {
        static uint? Index(string key) =>
            uint.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i != uint.MaxValue
                && i.ToString(CultureInfo.InvariantCulture) == key ? i : null;
        return obj.Where(p => Index(p.Key) is not null).OrderBy(p => Index(p.Key)).Concat(obj.Where(p => Index(p.Key) is null));
    }

    /// <summary>QuoteJSONString: the short escapes, other controls as <c>\u00xx</c>, lone surrogates as <c>\udxxx</c>, the rest as it is.</summary>
    private static void Quote(StringBuilder text, string value)
    {
        text.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                default:
                    if (c < 0x20 || (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))))
                    {
                        text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    }
                    else if (char.IsHighSurrogate(c))
                    {
                        text.Append(c).Append(value[++i]);
                    }
                    else
                    {
                        text.Append(c);
                    }
                    break;
            }
        }
        text.Append('"');
    }

    /// <summary>Number::toString: the shortest round-trip digits, in decimal notation for exponents -7 &lt; e &lt; 21, else <c>de±n</c>.</summary>
    private static string Number(double value)
    {
        if (value == 0)
        {
            return "0";
        }
        if (!double.IsFinite(value))
        {
            return "null";
        }
        var sign = value < 0 ? "-" : "";
        var shortest = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        // Digits and exponent n such that value = 0.d1d2…dk × 10^n (ECMAScript's k, n).
        var mantissa = shortest.Split('E')[0];
        var exponent = shortest.Contains('E', StringComparison.Ordinal) ? int.Parse(shortest.Split('E')[1], CultureInfo.InvariantCulture) : 0;
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = mantissa.Replace(".", "", StringComparison.Ordinal);
        var n = (point < 0 ? mantissa.Length : point) + exponent;
        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        n -= leadingZeros;
        var k = digits.Length;
        if (k <= n && n <= 21)
        {
            return sign + digits + new string('0', n - k);
        }
        if (0 < n && n <= 21)
        {
            return sign + digits[..n] + "." + digits[n..];
        }
        if (-6 < n && n <= 0)
        {
            return sign + "0." + new string('0', -n) + digits;
        }
        var e = n - 1;
        var exponentText = (e < 0 ? "-" : "+") + Math.Abs(e).ToString(CultureInfo.InvariantCulture);
        return sign + digits[..1] + (k > 1 ? "." + digits[1..] : "") + "e" + exponentText;
    }
}
