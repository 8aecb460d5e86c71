using Gatehouse.Core.Addresses;

namespace Gatehouse.Core.Tests.Addresses;

public sealed class IpTextTests
{
    // Regression (attack pass): IPAddress.TryParse read 010.2.2.2 as octal, so searching 10.2.2.2 missed it.
    [Theory]
    [InlineData("010.2.2.2", "10.2.2.2")]
    [InlineData("10.001.000.9", "10.1.0.9")]
    [InlineData(" 192.0.2.1 ", "192.0.2.1")]
    [InlineData("::ffff:10.9.8.7", "10.9.8.7")]
    [InlineData("2001:DB8:0:0::1", "2001:db8::1")]
    public void Leading_zeros_were_read_as_octal(string text, string expected)
    {
        Assert.True(IpText.TryParse(text, out var address));
        Assert.Equal(expected, address.ToString());
    }

    // Regression (attack pass): an event id or a hex word was read as an address and matched ranges.
    [Theory]
    [InlineData("167838211")]
    [InlineData("0x0a.1.2.3")]
    [InlineData("10.1.515")]
    [InlineData("10.1.2.256")]
    [InlineData("10.1.2.3.4")]
    [InlineData("1.2.3.")]
    [InlineData("1.2.3.+4")]
    [InlineData("")]
    [InlineData(null)]
    public void Integers_and_hex_were_read_as_addresses(string? text)
    {
        Assert.False(IpText.TryParse(text, out _));
    }

    // Regression (attack pass): ::ffff:0:0/96 found nothing though mapped addresses are read as IPv4.
    [Theory]
    [InlineData("::ffff:0:0/96", "0.0.0.0/0")]
    [InlineData("::ffff:10.0.0.0/104", "10.0.0.0/8")]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("2001:db8::/32", "2001:db8::/32")]
    public void Mapped_ranges_missed_the_IPv4_addresses_they_map(string text, string expected)
    {
        Assert.True(IpText.TryParseRange(text, out var range));
        Assert.Equal(expected, range.ToString());
    }

    [Theory]
    [InlineData("::ffff:10.0.0.0/95")]
    [InlineData("10.0.0.1/8")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/+8")]
    [InlineData("010.0.0.0/08x")]
    [InlineData("10.0.0.0")]
    public void Ranges_that_name_no_exact_block_are_refused(string text)
    {
        Assert.False(IpText.TryParseRange(text, out _));
    }

    [Fact]
    public void A_rule_range_with_host_bits_keeps_working_as_its_block()
    {
        Assert.True(IpText.TryParseRange("10.0.0.1/8", out var range, exactBlock: false));
        Assert.Equal("10.0.0.0/8", range.ToString());
    }
}
