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
        (IPAddress.Parse("ff00::"), 8),
    ];

    /// <summary>True for addresses inside the host or its private networks (IPv4-mapped IPv6 judged as IPv4).</summary>
    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        return Internal.Any(range => InRange(address, range.Network, range.Prefix));
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
