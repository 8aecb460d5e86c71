using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Gatehouse.Core.Sigma;

/// <summary>A rule Gatehouse cannot compile, with the reason it is skipped.</summary>
public sealed class SigmaRuleException(string reason) : Exception(reason);

/// <summary>
/// Compiles <c>Field|modifier|…: values</c> into a field test. Supported: <c>contains</c>,
/// <c>startswith</c>, <c>endswith</c>, <c>all</c>, <c>cased</c>, <c>re</c> (with <c>i</c>, <c>m</c>,
/// <c>s</c>), <c>cidr</c>, <c>windash</c>, <c>base64</c>, <c>base64offset</c>, <c>wide</c> /
/// <c>utf16le</c> / <c>utf16be</c> / <c>utf16</c>, <c>exists</c>, <c>gt</c> / <c>gte</c> / <c>lt</c> /
/// <c>lte</c> and <c>fieldref</c>. Anything else makes the rule unsupported.
/// </summary>
public static class SigmaModifiers
{
    private static readonly string[] Dashes = ["-", "/", "\u2013", "\u2014", "\u2015"];
    private static readonly Regex WindowsDash = new(@"\B[-/]\b", RegexOptions.CultureInvariant);
    private static readonly HashSet<string> Known =
    [
        "contains", "startswith", "endswith", "all", "cased", "re", "i", "m", "s", "cidr", "windash", "base64",
        "base64offset", "wide", "utf16le", "utf16be", "utf16", "exists", "gt", "gte", "lt", "lte", "fieldref",
    ];

    public static SigmaFieldTest Compile(string key, IReadOnlyList<string?> values)
    {
        var parts = key.Split('|');
        var field = parts[0].Length == 0 ? null : parts[0];
        var modifiers = parts.Skip(1).Select(m => m.ToLowerInvariant()).ToList();
        foreach (var modifier in modifiers.Where(m => !Known.Contains(m)))
        {
            throw new SigmaRuleException($"unsupported modifier '{modifier}'");
        }
        if (values.Count == 0)
        {
            throw new SigmaRuleException($"'{key}' has no values");
        }
        var all = modifiers.Contains("all");
        if (modifiers.Contains("exists"))
        {
            return values is [var flag] && bool.TryParse(flag, out var exists) && field is not null
                ? new SigmaFieldTest(field, exists ? SigmaFieldTest.Kind.Exists : SigmaFieldTest.Kind.Missing, [], false)
                : throw new SigmaRuleException($"'{key}' needs one true or false");
        }
        if (values is [null] && modifiers.Count == 0 && field is not null)
        {
            return new SigmaFieldTest(field, SigmaFieldTest.Kind.Null, [], false);
        }
        if (values.Any(v => v is null))
        {
            throw new SigmaRuleException($"'{key}' mixes null with other values or modifiers");
        }
        // A value's variants (windash prefixes, base64 offsets) are alternatives even under 'all'.
        var perValue = values.Select(v => Matchers(v!, modifiers, key).ToList()).ToList();
        return all && values.Count > 1
            ? new SigmaFieldTest(field, SigmaFieldTest.Kind.Values, perValue.Select(AnyOfMatcher.Of).ToList(), all: true)
            : new SigmaFieldTest(field, SigmaFieldTest.Kind.Values, SigmaValueMatcher.Grouped(perValue.SelectMany(m => m).ToList()), all: false);
    }

    private static IEnumerable<SigmaValueMatcher> Matchers(string value, List<string> modifiers, string key)
    {
        var cased = modifiers.Contains("cased");
        var position = modifiers.FirstOrDefault(m => m is "contains" or "startswith" or "endswith");
        if (modifiers.Contains("fieldref"))
        {
            return [new FieldRefMatcher(value, position, cased)];
        }
        if (modifiers.Contains("re"))
        {
            return [new RegexMatcher(Regex(value, modifiers, key))];
        }
        if (modifiers.Contains("cidr"))
        {
            return IPNetwork.TryParse(value.Trim(), out var network)
                ? [new CidrMatcher(network)]
                : throw new SigmaRuleException($"'{key}' has an invalid CIDR");
        }
        if (modifiers.FirstOrDefault(m => m is "gt" or "gte" or "lt" or "lte") is { } comparison)
        {
            return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var bound)
                ? [new NumberMatcher(comparison, bound)]
                : throw new SigmaRuleException($"'{key}' needs a number");
        }
        if (modifiers.Any(m => m is "i" or "m" or "s"))
        {
            throw new SigmaRuleException($"'{key}': regular expression flags need the 're' modifier");
        }
        IEnumerable<string> variants = [value];
        Func<string, byte[]> bytes = Encoding.UTF8.GetBytes;
        foreach (var modifier in modifiers)
        {
            if (modifier is "wide" or "utf16le" or "utf16be" or "utf16")
            {
                // From here on each character stands for one byte of the UTF-16 encoding.
                bytes = Encoding.Latin1.GetBytes;
            }
            variants = modifier switch
            {
                "wide" or "utf16le" => variants.Select(v => Latin(Encoding.Unicode.GetBytes(v))),
                "utf16be" => variants.Select(v => Latin(Encoding.BigEndianUnicode.GetBytes(v))),
                "utf16" => variants.Select(v => Latin([0xFF, 0xFE, .. Encoding.Unicode.GetBytes(v)])),
                "base64" => variants.Select(v => Convert.ToBase64String(bytes(v))),
                "base64offset" => variants.SelectMany(v => Base64Offsets(bytes(v))),
                "windash" => variants.SelectMany(WindashVariants),
                _ => variants,
            };
            variants = variants.ToList();
        }
        var encoded = modifiers.Any(m => m is "base64" or "base64offset");
        var anyBefore = position is "contains" or "endswith";
        var anyAfter = position is "contains" or "startswith";
        return variants.Distinct().Select(v => new PatternMatcher(SigmaPattern.Parse(v, cased || encoded, anyBefore, anyAfter)));
    }

    private static Regex Regex(string pattern, List<string> modifiers, string key)
    {
        var options = RegexOptions.CultureInvariant;
        options |= modifiers.Contains("i") ? RegexOptions.IgnoreCase : RegexOptions.None;
        options |= modifiers.Contains("m") ? RegexOptions.Multiline : RegexOptions.None;
        options |= modifiers.Contains("s") ? RegexOptions.Singleline : RegexOptions.None;
        try
        {
            return new Regex(pattern, options, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException)
        {
            throw new SigmaRuleException($"'{key}' has a regular expression .NET cannot compile");
        }
    }

    /// <summary>Each of Windows' option prefixes (-, /, en, em and horizontal-bar dashes) in place of the rule's.</summary>
    private static IEnumerable<string> WindashVariants(string value) =>
        WindowsDash.IsMatch(value) ? Dashes.Select(dash => WindowsDash.Replace(value, dash)) : [value];

    /// <summary>The value as it appears inside base64 text at each of the three byte offsets (pySigma's base64offset).</summary>
    private static IEnumerable<string> Base64Offsets(byte[] value)
    {
        int[] starts = [0, 2, 3];
        int?[] ends = [null, -3, -2];
        for (var shift = 0; shift < 3; shift++)
        {
            var encoded = Convert.ToBase64String([.. Enumerable.Repeat((byte)' ', shift), .. value]);
            var end = ends[(value.Length + shift) % 3] is { } fromEnd ? encoded.Length + fromEnd : encoded.Length;
            if (end > starts[shift])
            {
                yield return encoded[starts[shift]..end];
            }
        }
    }

    /// <summary>A UTF-16 encoding kept as one character per byte, so base64 sees the same bytes pySigma does.</summary>
    private static string Latin(byte[] bytes) => Encoding.Latin1.GetString(bytes);
}
