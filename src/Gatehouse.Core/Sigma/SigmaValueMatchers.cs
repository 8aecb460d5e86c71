using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Gatehouse.Core.Sigma;

/// <summary>One compiled value of a Sigma field test: does this event value match it?</summary>
public abstract class SigmaValueMatcher
{
    public abstract bool Matches(string value, SigmaEvent evt);

    /// <summary>
    /// The wildcard patterns behind this matcher, any one of which it matches (the index uses their
    /// literals); empty when it is not made of patterns.
    /// </summary>
    public virtual IReadOnlyList<SigmaPattern> Patterns => [];

    /// <summary>
    /// Folds long lists of alternatives into set lookups: every plain value into one hash set, every
    /// <c>contains</c> literal into one multi-string search (rules list hundreds of hashes or emoji).
    /// </summary>
    public static IReadOnlyList<SigmaValueMatcher> Grouped(IReadOnlyList<SigmaValueMatcher> alternatives)
    {
        const int worthGrouping = 4;
        var patterns = alternatives.OfType<PatternMatcher>().Select(m => m.Pattern).ToList();
        var contains = patterns.Where(p => p.IsContains).GroupBy(p => p.IsCased).Where(g => g.Count() >= worthGrouping).SelectMany(g => g).ToHashSet();
        var exact = patterns.Where(p => p.IsExact).GroupBy(p => p.IsCased).Where(g => g.Count() >= worthGrouping).SelectMany(g => g).ToHashSet();
        if (contains.Count == 0 && exact.Count == 0)
        {
            return alternatives;
        }
        var grouped = alternatives.Where(m => m is not PatternMatcher single || !contains.Contains(single.Pattern) && !exact.Contains(single.Pattern)).ToList();
        grouped.AddRange(contains.GroupBy(p => p.IsCased).Select(g => new ContainsAnyMatcher(g.ToList(), g.Key)));
        grouped.AddRange(exact.GroupBy(p => p.IsCased).Select(g => new EqualsAnyMatcher(g.ToList(), g.Key)));
        return grouped;
    }
}

/// <summary>Several variants of one value, any of which matches.</summary>
public sealed class AnyOfMatcher(IReadOnlyList<SigmaValueMatcher> variants) : SigmaValueMatcher
{
    public static SigmaValueMatcher Of(IReadOnlyList<SigmaValueMatcher> variants) =>
        variants.Count == 1 ? variants[0] : new AnyOfMatcher(Grouped(variants));

    public override IReadOnlyList<SigmaPattern> Patterns =>
        variants.Any(v => v.Patterns.Count == 0) ? [] : variants.SelectMany(v => v.Patterns).ToList();

    public override bool Matches(string value, SigmaEvent evt)
    {
        foreach (var variant in variants)
        {
            if (variant.Matches(value, evt))
            {
                return true;
            }
        }
        return false;
    }
}

public sealed class PatternMatcher(SigmaPattern pattern) : SigmaValueMatcher
{
    public SigmaPattern Pattern => pattern;

    public override IReadOnlyList<SigmaPattern> Patterns => [pattern];

    public override bool Matches(string value, SigmaEvent evt) => pattern.Matches(value);
}

public sealed class ContainsAnyMatcher(IReadOnlyList<SigmaPattern> patterns, bool cased) : SigmaValueMatcher
{
    private readonly SearchValues<string> _literals = SearchValues.Create(
        patterns.Select(p => p.Literals[0]).Distinct().ToArray(), cased ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);

    public override IReadOnlyList<SigmaPattern> Patterns => patterns;

    public override bool Matches(string value, SigmaEvent evt) => value.AsSpan().ContainsAny(_literals);
}

public sealed class EqualsAnyMatcher(IReadOnlyList<SigmaPattern> patterns, bool cased) : SigmaValueMatcher
{
    private readonly HashSet<string> _values = patterns.Select(p => p.Literals[0]).ToHashSet(cased ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);

    public override IReadOnlyList<SigmaPattern> Patterns => patterns;

    public override bool Matches(string value, SigmaEvent evt) => _values.Contains(value);
}

public sealed class RegexMatcher(Regex regex) : SigmaValueMatcher
{
    public override bool Matches(string value, SigmaEvent evt)
    {
        try
        {
            return regex.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}

public sealed class CidrMatcher(IPNetwork network) : SigmaValueMatcher
{
    public override bool Matches(string value, SigmaEvent evt)
    {
        if (!IPAddress.TryParse(value.Trim(), out var address))
        {
            return false;
        }
        if (address.IsIPv4MappedToIPv6 && network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            address = address.MapToIPv4();
        }
        return address.AddressFamily == network.BaseAddress.AddressFamily && network.Contains(address);
    }
}

public sealed class NumberMatcher(string comparison, double bound) : SigmaValueMatcher
{
    public override bool Matches(string value, SigmaEvent evt)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }
        return comparison switch
        {
            "gt" => number > bound,
            "gte" => number >= bound,
            "lt" => number < bound,
            _ => number <= bound,
        };
    }
}

/// <summary><c>fieldref</c>: the value is compared with another field of the same event.</summary>
public sealed class FieldRefMatcher(string otherField, string? position, bool cased) : SigmaValueMatcher
{
    public override bool Matches(string value, SigmaEvent evt)
    {
        var comparison = cased ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        foreach (var other in evt.Values(otherField) ?? [])
        {
            if (other is null)
            {
                continue;
            }
            var matched = position switch
            {
                "contains" => value.Contains(other, comparison),
                "startswith" => value.StartsWith(other, comparison),
                "endswith" => value.EndsWith(other, comparison),
                _ => value.Equals(other, comparison),
            };
            if (matched)
            {
                return true;
            }
        }
        return false;
    }
}
