using System.Net;
using Gatehouse.Core.Auth;

namespace Gatehouse.Core.Tests.Auth;

public class SourceAllowListTests
{
    [Theory]
    [InlineData("203.0.113.7", true)]
    [InlineData("::ffff:203.0.113.7", true)]
    [InlineData("203.0.114.1", false)]
    [InlineData("2001:db8::1", true)]
    [InlineData("2001:db9::1", false)]
    [InlineData("198.51.100.10", true)]
    public void A_request_is_allowed_only_from_an_address_in_the_list(string source, bool allowed)
    {
        var (ranges, errors) = SourceAllowList.Parse(["203.0.113.0/24", "2001:db8::/32", "198.51.100.10"]);
        Assert.Empty(errors);
        Assert.Equal(allowed, SourceAllowList.Allows(ranges, IPAddress.Parse(source)));
    }

    [Fact]
    public void No_list_allows_any_source_and_an_unknown_source_is_refused_by_a_list()
    {
        Assert.True(SourceAllowList.Allows(null, IPAddress.Parse("192.0.2.1")));
        Assert.False(SourceAllowList.Allows(SourceAllowList.Parse(["192.0.2.0/24"]).Ranges, null));
    }

    [Theory]
    [InlineData("203.0.113.7/24")]
    [InlineData("10.0.0.0/33")]
    [InlineData("example.com")]
    [InlineData("")]
    public void Entries_that_are_not_ranges_are_refused(string entry) => Assert.NotEmpty(SourceAllowList.Parse([entry]).Errors);
}
