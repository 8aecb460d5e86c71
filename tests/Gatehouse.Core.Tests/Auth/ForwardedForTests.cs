using System.Net;
using Gatehouse.Core.Auth;

namespace Gatehouse.Core.Tests.Auth;

public class ForwardedForTests
{
    private static readonly IReadOnlyList<IPNetwork> Proxies = SourceAllowList.Parse(["10.0.0.0/8", "2001:db8:1::/48"]).Ranges;

    private static string? Client(string connection, string? header, IReadOnlyList<IPNetwork>? trusted = null) =>
        ForwardedFor.Client(IPAddress.Parse(connection), header, trusted ?? Proxies)?.ToString();

    [Fact]
    public void Without_trusted_proxies_the_header_is_ignored() => Assert.Equal("198.51.100.4", Client("198.51.100.4", "203.0.113.9", []));

    [Fact]
    public void A_connection_that_is_no_trusted_proxy_is_the_client_whatever_it_claims() => Assert.Equal("198.51.100.4", Client("198.51.100.4", "203.0.113.9"));

    [Fact]
    public void Behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client_and_what_it_claimed_before_is_ignored()
    {
        Assert.Equal("203.0.113.9", Client("10.1.2.3", "203.0.113.9"));
        Assert.Equal("203.0.113.9", Client("10.1.2.3", "192.0.2.66, 203.0.113.9, 10.9.9.9"));
        Assert.Equal("203.0.113.9", Client("::ffff:10.1.2.3", "::ffff:203.0.113.9"));
        Assert.Equal("2001:db8:2::5", Client("2001:db8:1::1", "2001:db8:2::5"));
        Assert.Equal("203.0.113.9", Client("10.1.2.3", "203.0.113.9:1234")); // as Azure Application Gateway sends it
        Assert.Equal("2001:db8:2::5", Client("10.1.2.3", "[2001:db8:2::5]:443"));
    }

    [Fact]
    public void A_malformed_hop_or_a_chain_of_proxies_only_leaves_a_proxy_address_so_allow_lists_fail_closed()
    {
        Assert.Equal("10.9.9.9", Client("10.1.2.3", "203.0.113.9, not-an-address, 10.9.9.9"));
        Assert.Equal("10.9.9.9", Client("10.1.2.3", "10.9.9.9"));
        Assert.Equal("10.1.2.3", Client("10.1.2.3", null));
    }
}
