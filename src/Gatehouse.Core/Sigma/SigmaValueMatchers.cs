using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Gatehouse.Core.Sigma;

/// <summary>One compiled value of a Sigma field test: does this event value match it?</summary>
public abstract class SigmaValueMatcher
{
    public abstract bool Matches(string value, SigmaEvent evt);

    /// <summary>The wildcard pattern behind this matcher, when it has one (the index uses its literals).</summary>
    public virtual SigmaPattern? Pattern => null;
}

public sealed class PatternMatcher(SigmaPattern pattern) : SigmaValueMatcher
{
    public override SigmaPattern Pattern => pattern;

    public override bool Matches(string value, SigmaEvent evt) => pattern.Matches(value);
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
