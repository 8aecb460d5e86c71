using System.Net;

namespace Gatehouse.Core.Auth;

/// <summary>
/// A key's source-address allow-list: CIDR ranges (<c>203.0.113.0/24</c>, <c>2001:db8::/32</c>) or single
/// addresses. A key without one takes requests from anywhere; with one, only from an address in it.
/// </summary>
public static class SourceAllowList
{
    public const int MaxEntries = 64;

    /// <summary>The ranges, or every entry that is not one.</summary>
    public static (IReadOnlyList<IPNetwork> Ranges, IReadOnlyList<string> Errors) Parse(IEnumerable<string> entries, string member = "allowedSources")
    {
        var ranges = new List<IPNetwork>();
        var errors = new List<string>();
        foreach (var raw in entries)
        {
            var entry = raw?.Trim() ?? "";
            if (IPNetwork.TryParse(entry, out var range) && IPAddress.TryParse(entry.Split('/')[0], out var given) && given.Equals(range.BaseAddress))
            {
                ranges.Add(range);
            }
            else if (IPAddress.TryParse(entry, out var address) && !entry.Contains('/'))
            {
                var single = Canonical(address);
                ranges.Add(new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                errors.Add($"'{member}' holds '{entry}', which is not an address or a CIDR range such as 203.0.113.0/24 (host bits must be zero).");
            }
        }
        if (ranges.Count > MaxEntries)
        {
            errors.Add($"'{member}' takes at most {MaxEntries} ranges.");
        }
        return (ranges, errors);
    }

    /// <summary>Whether a request from <paramref name="source"/> may use a key with these ranges (null or empty: any source).</summary>
    public static bool Allows(IReadOnlyList<IPNetwork>? ranges, IPAddress? source)
    {
        if (ranges is not { Count: > 0 })
        {
            return true;
        }
        if (source is null)
        {
            return false;
        }
        var address = Canonical(source);
        return ranges.Any(r => r.Contains(address));
    }

    /// <summary>IPv4 addresses arriving as IPv4-mapped IPv6 (<c>::ffff:203.0.113.7</c>) compare as IPv4.</summary>
    public static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
