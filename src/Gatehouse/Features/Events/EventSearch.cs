using Gatehouse.Core.Addresses;
using System.Net;
using Gatehouse.Storage;

namespace Gatehouse.Features.Events;

/// <summary>
/// Searching events: <c>q</c> (text in the title, description, mapped and custom fields and the raw JSON,
/// case-insensitive), <c>ip</c> (source or destination: one address, or a range in CIDR, IPv4 or IPv6), <c>host</c> and
/// <c>user</c> (part of the hostname or username, case-insensitive).
/// </summary>
public sealed record EventSearch(string? Q, string? Ip, string? Host, string? User)
{
    public const int MaxRangeCandidates = 100_000;

    /// <summary>
    /// The addresses <c>ip</c> names: a range, or one address as a range of one (so <c>2001:DB8::1</c> finds
    /// <c>2001:db8::1</c>, and <c>::ffff:10.0.0.1</c> finds <c>10.0.0.1</c>); null for none. Problems into <paramref name="errors"/>.
    /// </summary>
    public IPNetwork? Check(List<string> errors)
    {
        foreach (var (name, value) in new[] { ("q", Q), ("host", Host), ("user", User) })
        {
            if (value is { Length: > 500 })
            {
                errors.Add($"'{name}' is longer than 500 characters.");
            }
        }
        if (string.IsNullOrWhiteSpace(Ip))
        {
            return null;
        }
        var text = Ip.Trim();
        if (text.Contains('/'))
        {
            if (IpText.TryParseRange(text, out var network))
            {
                return network;
            }
            errors.Add("'ip' must be an IP address (10.1.2.3, 2001:db8::1) or a range in CIDR (10.0.0.0/8, 2001:db8::/32).");
        }
        else if (IpText.TryParse(text, out var address))
        {
            return new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        }
        else
        {
            errors.Add("'ip' must be an IP address (10.1.2.3, 2001:db8::1) or a range in CIDR (10.0.0.0/8).");
        }
        return null;
    }

    public IQueryable<Event> Apply(IQueryable<Event> query)
    {
        if (!string.IsNullOrWhiteSpace(Q))
        {
            var text = Q.Trim().ToLowerInvariant();
            // The raw JSON keeps the sender's escapes (\u00e9, \u003c, \\): the text is also looked for escaped.
            var escaped = Escaped(text, System.Text.Encodings.Web.JavaScriptEncoder.Default);
            var relaxed = Escaped(text, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
            query = query.Where(e => (e.Title != null && e.Title.ToLower().Contains(text))
                || (e.Description != null && e.Description.ToLower().Contains(text))
                || (e.Hostname != null && e.Hostname.ToLower().Contains(text))
                || (e.Username != null && e.Username.ToLower().Contains(text))
                || (e.CommandLine != null && e.CommandLine.ToLower().Contains(text))
                || (e.ProcessName != null && e.ProcessName.ToLower().Contains(text))
                || (e.Url != null && e.Url.ToLower().Contains(text))
                || (e.Domain != null && e.Domain.ToLower().Contains(text))
                || (e.FileHash != null && e.FileHash.ToLower().Contains(text))
                || (e.SourceIp != null && e.SourceIp.Contains(text))
                || (e.DestinationIp != null && e.DestinationIp.Contains(text))
                || (e.ExternalId != null && e.ExternalId.ToLower().Contains(text))
                || e.CustomFieldsJson.ToLower().Contains(text)
                || e.RawJson.ToLower().Contains(text)
                || e.RawJson.ToLower().Contains(escaped)
                || e.RawJson.ToLower().Contains(relaxed));
        }
        if (!string.IsNullOrWhiteSpace(Host))
        {
            var host = Host.Trim().ToLowerInvariant();
            query = query.Where(e => e.Hostname != null && e.Hostname.ToLower().Contains(host));
        }
        if (!string.IsNullOrWhiteSpace(User))
        {
            var name = User.Trim().ToLowerInvariant();
            query = query.Where(e => e.Username != null && e.Username.ToLower().Contains(name));
        }
        return query;
    }

    private static string Escaped(string text, System.Text.Encodings.Web.JavaScriptEncoder encoder) =>
        System.Text.Json.JsonEncodedText.Encode(text, encoder).ToString().ToLowerInvariant();

    /// <summary>Whether a stored address (as mapped: IPv4, IPv6, IPv4-mapped IPv6; read as <see cref="IpText"/> does) is in the range.</summary>
    public static bool InRange(IPNetwork network, string? stored)
    {
        return IpText.TryParse(stored, out var address) && network.Contains(address);
    }
}
