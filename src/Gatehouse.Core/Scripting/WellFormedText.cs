using System.Text;
using System.Text.RegularExpressions;

namespace Gatehouse.Core.Scripting;

/// <summary>
/// JavaScript strings may hold unpaired surrogates (slicing an emoji in half is enough), which
/// JSON.stringify writes as <c>\udXXX</c> escapes and .NET's JSON refuses to read. A script's result
/// is made well formed by replacing each unpaired surrogate with U+FFFD, so the result is kept.
/// </summary>
public static partial class WellFormedText
{
    /// <summary>The JSON text with every unpaired surrogate, escaped or raw, replaced by U+FFFD.</summary>
    public static string RepairJson(string json)
    {
        var text = Repair(json);
        return text.Contains("\\u", StringComparison.Ordinal) ? EscapedSurrogate().Replace(text, Escape) : text;
    }

    /// <summary>An escaped surrogate is kept only as the first half of an escaped pair followed by its second half.</summary>
    private static string Escape(Match match)
    {
        var unit = Convert.ToInt32(match.Groups["unit"].Value, 16);
        var next = match.Groups["next"];
        if (unit <= 0xDBFF && next.Success && Convert.ToInt32(next.Value, 16) >= 0xDC00)
        {
            return match.Value;
        }
        return "\\ufffd" + (next.Success ? match.Value[6..] : "");
    }

    /// <summary>A <c>\uD800</c>–<c>\uDFFF</c> escape that is not itself behind an escaped backslash, with the escape after it when there is one.</summary>
    [GeneratedRegex(@"(?<=(?:^|[^\\])(?:\\\\)*)\\u(?<unit>[dD][89a-fA-F][0-9a-fA-F]{2})(?:\\u(?<next>[dD][c-fC-F][0-9a-fA-F]{2}))?")]
    private static partial Regex EscapedSurrogate();

    public static string Repair(string text)
    {
        if (!HasUnpairedSurrogate(text))
        {
            return text;
        }
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(text, i++, 2);
            }
            else
            {
                builder.Append(char.IsSurrogate(text[i]) ? '\uFFFD' : text[i]);
            }
        }
        return builder.ToString();
    }

    private static bool HasUnpairedSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }
        return false;
    }
}
