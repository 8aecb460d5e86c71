using System.Net;

namespace Gatehouse.Core.Auth;

/// <summary>
/// The address a request came from, behind reverse proxies the operator names: the connection's own address, unless that is
/// a trusted proxy — then the right-most <c>X-Forwarded-For</c> entry that is not one (each proxy appends the address it saw,
/// so entries left of the first untrusted one may be anything the client wrote). With no trusted proxies the header is ignored.
/// </summary>
public static class ForwardedFor
{
    public const int MaxHops = 20;

    public static IPAddress? Client(IPAddress? connection, string? forwardedFor, IReadOnlyList<IPNetwork> trustedProxies)
    {
        if (connection is null || trustedProxies.Count == 0)
        {
            return connection;
        }
        var current = SourceAllowList.Canonical(connection);
        if (!Trusted(current, trustedProxies))
        {
            return current;
        }
        var hops = (forwardedFor ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var entry in hops.Reverse().Take(MaxHops))
        {
            // A hop that is not an address (with or without its port, as some proxies send it) ends the chain at the last proxy that was trusted: fail closed.
            if (!IPEndPoint.TryParse(entry, out var hop))
            {
                return current;
            }
            current = SourceAllowList.Canonical(hop.Address);
            if (!Trusted(current, trustedProxies))
            {
                return current;
            }
        }
        return current;
    }

    private static bool Trusted(IPAddress address, IReadOnlyList<IPNetwork> trustedProxies) => trustedProxies.Any(range => range.Contains(address));
}
