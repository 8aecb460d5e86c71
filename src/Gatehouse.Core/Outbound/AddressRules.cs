using System.Net;
using System.Net.Sockets;

namespace Gatehouse.Core.Outbound;

/// <summary>Which addresses an outbound call may reach: not loopback, link-local, private or otherwise internal, unless allow-listed.</summary>
public static class AddressRules
{
    private static readonly (IPAddress Network, int Prefix)[] Internal =
    [
        (IPAddress.Parse("0.0.0.0"), 8),
        (IPAddress.Parse("10.0.0.0"), 8),
        (IPAddress.Parse("100.64.0.0"), 10),
        (IPAddress.Parse("127.0.0.0"), 8),
        (IPAddress.Parse("169.254.0.0"), 16),
        (IPAddress.Parse("172.16.0.0"), 12),
        (IPAddress.Parse("192.0.0.0"), 24),
        (IPAddress.Parse("192.168.0.0"), 16),
        (IPAddress.Parse("198.18.0.0"), 15),
        (IPAddress.Parse("224.0.0.0"), 3),
        (IPAddress.Parse("::"), 128),
        (IPAddress.Parse("::1"), 128),
        (IPAddress.Parse("fc00::"), 7),
        (IPAddress.Parse("fe80::"), 10),
        (IPAddress.Parse("fec0::"), 10),
        (IPAddress.Parse("64:ff9b:1::"), 48), // local-use NAT64 (RFC 8215): translates into the operator's own networks
        (IPAddress.Parse("ff00::"), 8),
    ];

    /// <summary>
    /// True for addresses inside the host or its private networks, judged also by every IPv4 address
    /// an IPv6 form carries: IPv4-mapped, -translated and -compatible, NAT64 (64:ff9b::/96, 64:ff9b:1::/48),
    /// 6to4 (2002::/16) and Teredo (2001::/32, server and client).
    /// </summary>
    public static bool IsInternal(IPAddress address) =>
        Views(address).Any(view => Internal.Any(range => InRange(view, range.Network, range.Prefix)));

    private static IEnumerable<IPAddress> Views(IPAddress address)
    {
        yield return address;
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            yield break;
        }
        var b = address.GetAddressBytes();
        if (address.IsIPv4MappedToIPv6)
        {
            yield return address.MapToIPv4();
        }
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0)
        {
            yield return new IPAddress(b.AsSpan(12, 4)); // IPv4-compatible ::a.b.c.d
        }
        if (b.AsSpan(0, 8).IndexOfAnyExcept((byte)0) < 0 && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0)
        {
            yield return new IPAddress(b.AsSpan(12, 4)); // IPv4-translated ::ffff:0:a.b.c.d
        }
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
        {
            yield return new IPAddress(b.AsSpan(12, 4)); // NAT64, the well-known prefix
        }
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            yield return new IPAddress(b.AsSpan(2, 4)); // 6to4
        }
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00)
        {
            yield return new IPAddress(b.AsSpan(4, 4)); // Teredo server
            yield return new IPAddress(b[12..16].Select(x => (byte)~x).ToArray()); // Teredo client, obfuscated
        }
    }

    /// <summary>Whether <paramref name="host"/> (a name or an address, any case) is on the allow-list.</summary>
    public static bool IsAllowed(string host, IEnumerable<string> allowedHosts) =>
        allowedHosts.Any(allowed => string.Equals(allowed.Trim().TrimEnd('.'), host.Trim().TrimEnd('.'), StringComparison.OrdinalIgnoreCase));

    private static bool InRange(IPAddress address, IPAddress network, int prefix)
    {
        if (address.AddressFamily != network.AddressFamily)
        {
            return false;
        }
        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        var full = prefix / 8;
        for (var i = 0; i < full; i++)
        {
            if (a[i] != n[i])
            {
                return false;
            }
        }
        var rest = prefix % 8;
        return rest == 0 || (a[full] & (0xFF << (8 - rest)) & 0xFF) == (n[full] & (0xFF << (8 - rest)) & 0xFF);
    }

    public static bool IsIp(AddressFamily family) => family is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6;
}
