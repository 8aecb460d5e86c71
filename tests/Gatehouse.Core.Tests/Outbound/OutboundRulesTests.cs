using System.Net;
using System.Text.Json.Nodes;
using Gatehouse.Core.Outbound;

namespace Gatehouse.Core.Tests.Outbound;

public class OutboundRulesTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.255.0.9", true)]
    [InlineData("10.20.30.40", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.1.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("224.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("::ffff:8.8.8.8", false)]
    [InlineData("8.8.8.8", false)]
    [InlineData("203.0.113.9", false)]
    [InlineData("2001:db8::1", false)]
    [InlineData("::127.0.0.1", true)]
    [InlineData("::10.1.2.3", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("::ffff:0:127.0.0.1", true)]
    [InlineData("::ffff:0:8.8.8.8", false)]
    [InlineData("64:ff9b::127.0.0.1", true)]
    [InlineData("64:ff9b::a9fe:a9fe", true)]
    [InlineData("64:ff9b:1::c0a8:0101", true)]
    [InlineData("64:ff9b::8.8.8.8", false)]
    [InlineData("2002:7f00:1::", true)]
    [InlineData("2002:c0a8:0101::1", true)]
    [InlineData("2002:0808:0808::1", false)]
    [InlineData("2001:0:7f00:1::ffff:ffff", true)]
    [InlineData("2001:0:0808:0808::f5f5:f5fe", true)]
    [InlineData("fec0::1", true)]
    public void Internal_addresses_are_recognised(string address, bool isInternal) =>
        Assert.Equal(isInternal, AddressRules.IsInternal(IPAddress.Parse(address)));

    [Fact]
    public void The_allow_list_matches_hosts_exactly_in_any_case()
    {
        Assert.True(AddressRules.IsAllowed("Vendor.Local", ["vendor.local"]));
        Assert.True(AddressRules.IsAllowed("127.0.0.1", [" 127.0.0.1 "]));
        Assert.False(AddressRules.IsAllowed("evil.vendor.local", ["vendor.local"]));
        Assert.False(AddressRules.IsAllowed("127.0.0.2", ["127.0.0.1"]));
    }

    [Theory]
    [InlineData("a\r\nX-Injected: 1")]
    [InlineData("a\nb")]
    [InlineData("a\rb")]
    [InlineData("a\0b")]
    [InlineData("a\u007fb")]
    public void Header_injection_control_characters_in_a_templated_header_are_refused(string value)
    {
        var template = new RequestTemplate("GET", "/x", Headers: new() { ["X-Case"] = "case {{Case}}" });

        var refused = Assert.Throws<RequestRefusedException>(() => RequestTemplates.Render(template, new JsonObject { ["Case"] = value }));

        Assert.Contains("X-Case", refused.Message);
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData(" .. ")]
    public void Path_traversal_dot_segments_in_a_templated_path_are_refused(string value) =>
        Assert.Throws<RequestRefusedException>(() => RequestTemplates.Render(new RequestTemplate("GET", "/api/{{Id}}/x"), new JsonObject { ["Id"] = value }));

    [Fact]
    public void Path_traversal_dots_around_an_empty_value_make_no_dot_segment() =>
        Assert.Throws<RequestRefusedException>(() => RequestTemplates.Render(new RequestTemplate("GET", "/x/.{{A}}./y/{{B}}"), new JsonObject { ["A"] = "", ["B"] = "b" }));

    [Theory]
    [InlineData("Host")]
    [InlineData("transfer-encoding")]
    [InlineData("Content-Length")]
    [InlineData("Connection")]
    [InlineData("Upgrade")]
    [InlineData("X-Forwarded-Host")]
    [InlineData("X-HTTP-Method-Override")]
    public void Request_smuggling_framing_headers_cannot_be_templated(string header)
    {
        var errors = new List<string>();
        Gatehouse.Core.Commands.IntegrationCommand.Validate(
            [new Gatehouse.Core.Commands.IntegrationCommand("Tag", null, null, new RequestTemplate("GET", "/x", Headers: new() { [header] = "1" }), null, null)], errors);

        Assert.Throws<RequestRefusedException>(() => RequestTemplates.Render(new RequestTemplate("GET", "/x", Headers: new() { [header] = "evil.internal" }), []));
        Assert.Contains(errors, e => e.Contains(header, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/hosts/isolate\r\nX-Injected: 1")]
    [InlineData("/hosts\u0000/isolate")]
    public void A_command_path_with_CR_LF_or_control_characters_was_saved_and_only_refused_when_sent(string path)
    {
        var errors = new List<string>();
        Gatehouse.Core.Commands.IntegrationCommand.Validate(
            [new Gatehouse.Core.Commands.IntegrationCommand("Isolate", null, null, new RequestTemplate("POST", path), null, null)], errors);
        Assert.Contains(errors, e => e.Contains("'request.path'", StringComparison.Ordinal));
    }

    [Fact]
    public void Header_names_must_be_tokens_and_dotted_values_inside_a_segment_stay_escaped()
    {
        Assert.Throws<RequestRefusedException>(() => RequestTemplates.Render(new RequestTemplate("GET", "/x", Headers: new() { ["X Bad"] = "1" }), []));
        Assert.Equal("/api/..%2F..%2Fetc/x", RequestTemplates.Render(new RequestTemplate("GET", "/api/{{Id}}/x"), new JsonObject { ["Id"] = "../../etc" }).PathAndQuery);
        Assert.Equal("/api/a..b/x", RequestTemplates.Render(new RequestTemplate("GET", "/api/{{Id}}/x"), new JsonObject { ["Id"] = "a..b" }).PathAndQuery);
    }

    [Fact]
    public void Templates_escape_path_values_and_keep_json_types_in_bodies()
    {
        var template = new RequestTemplate("post", "/hosts/{{Host}}/isolate", new() { ["reason"] = "{{Reason}}", ["empty"] = "{{Missing}}" },
            new() { ["X-Case"] = "case {{Case}}" }, JsonNode.Parse("""{"ids":"{{Ids}}","note":"by {{Host}}","fixed":1}"""));
        var parameters = new JsonObject { ["Host"] = "ws 01/a", ["Reason"] = "a&b", ["Case"] = 7, ["Ids"] = new JsonArray(1, 2) };

        var rendered = RequestTemplates.Render(template, parameters);

        Assert.Equal("POST", rendered.Method);
        Assert.Equal("/hosts/ws%2001%2Fa/isolate?reason=a%26b", rendered.PathAndQuery);
        Assert.Equal("case 7", rendered.Headers["X-Case"]);
        Assert.Equal("""{"ids":[1,2],"note":"by ws 01/a","fixed":1}""", rendered.Body);
        Assert.Equal(["Host", "Reason", "Missing", "Case", "Ids"], RequestTemplates.Placeholders(template).OrderBy(p => Array.IndexOf(["Host", "Reason", "Missing", "Case", "Ids"], p)));
    }
}
