using System.Net;
using System.Net.Sockets;

namespace Gatehouse.Core.Addresses;

/// <summary>
/// Addresses as security logs write them. <see cref="IPAddress.TryParse(string, out IPAddress)"/> follows inet_aton:
/// <c>010.2.2.2</c> is octal (8.2.2.2), <c>0x0a.1.2.3</c> hex and <c>167838211</c> a whole address, so an analyst
/// searching 10.2.2.2 would miss a zero-padded log line and an event id would match a range. Here IPv4 is exactly four
/// decimal parts (leading zeros read as decimal), IPv6 is anything <see cref="IPAddress"/> reads with a colon, and an
/// IPv4-mapped IPv6 address is its IPv4 address.
/// </summary>
public static class IpText
{
    public static bool TryParse(string? text, out IPAddress address)
    {
        address = IPAddress.None;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > 64)
        {
            return false;
        }
        if (text.Contains(':'))
        {
            if (!IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }
            address = v6.IsIPv4MappedToIPv6 ? v6.MapToIPv4() : v6;
            return true;
        }
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }
        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            if (parts[i].Length is < 1 or > 3 || !parts[i].All(char.IsAsciiDigit) || int.Parse(parts[i]) > 255)
            {
                return false;
            }
            bytes[i] = (byte)int.Parse(parts[i]);
        }
        address = new IPAddress(bytes);
        return true;
    }

    /// <summary>
    /// A CIDR range, with an IPv4-mapped IPv6 range (<c>::ffff:10.0.0.0/104</c>, <c>::ffff:0:0/96</c>) read as the IPv4
    /// range it maps, since mapped addresses are read as IPv4.
    /// </summary>
    /// <param name="exactBlock">Refuse a base address with host bits (10.0.0.1/8); otherwise they are cleared, as rule
    /// conditions saved before this check were read.</param>
    public static bool TryParseRange(string? text, out IPNetwork range, bool exactBlock = true)
    {
        range = default;
        var slash = text?.IndexOf('/') ?? -1;
        if (slash < 0 || !TryParse(text![..slash], out var baseAddress)
            || !int.TryParse(text[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var prefix))
        {
            return false;
        }
        var mapped = text[..slash].Contains(':') && baseAddress.AddressFamily == AddressFamily.InterNetwork;
        if (mapped)
        {
            if (prefix is < 96 or > 128)
            {
                return false;
            }
            prefix -= 96;
        }
        var width = baseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefix > width)
        {
            return false;
        }
        var block = Masked(baseAddress, prefix);
        if (exactBlock && !block.Equals(baseAddress))
        {
            return false;
        }
        range = new IPNetwork(block, prefix);
        return true;
    }

    private static IPAddress Masked(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }
        return new IPAddress(bytes);
    }
}
