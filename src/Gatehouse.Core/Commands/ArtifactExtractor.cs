using System.Net;
using System.Text.RegularExpressions;

namespace Gatehouse.Core.Commands;

public sealed record Artifacts(
    IReadOnlyList<string> IpAddresses, IReadOnlyList<string> Domains, IReadOnlyList<string> Urls,
    IReadOnlyList<string> Hashes, IReadOnlyList<string> EmailAddresses);

/// <summary>Pulls indicators out of free text. Every pattern has a match timeout, so hostile text cannot stall it.</summary>
public static partial class ArtifactExtractor
{
    private const int TimeoutMilliseconds = 500;

    [GeneratedRegex(@"\bhttps?://[^\s""'<>()\[\]{}]+", RegexOptions.IgnoreCase, TimeoutMilliseconds)]
    private static partial Regex UrlPattern();

    [GeneratedRegex(@"\b[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}\b", RegexOptions.None, TimeoutMilliseconds)]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"\b(?:\d{1,3}\.){3}\d{1,3}\b", RegexOptions.None, TimeoutMilliseconds)]
    private static partial Regex Ipv4Pattern();

    [GeneratedRegex(@"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])", RegexOptions.None, TimeoutMilliseconds)]
    private static partial Regex Ipv6Pattern();

    [GeneratedRegex(@"\b(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\b", RegexOptions.None, TimeoutMilliseconds)]
    private static partial Regex DomainPattern();

    [GeneratedRegex(@"\b(?:[A-Fa-f0-9]{64}|[A-Fa-f0-9]{40}|[A-Fa-f0-9]{32})\b", RegexOptions.None, TimeoutMilliseconds)]
    private static partial Regex HashPattern();

    public static Artifacts Extract(string text)
    {
        var urls = Distinct(UrlPattern().Matches(text).Select(m => m.Value.TrimEnd('.', ',', ';')));
        var emails = Distinct(EmailPattern().Matches(text).Select(m => m.Value));
        var ips = Distinct(Ipv4Pattern().Matches(text).Select(m => m.Value).Concat(Ipv6Pattern().Matches(text).Select(m => m.Value).Where(v => v.Any(char.IsAsciiHexDigit)))
            .Where(v => IPAddress.TryParse(v, out _)));
        var emailDomains = emails.Select(e => e[(e.IndexOf('@') + 1)..]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var domains = Distinct(DomainPattern().Matches(text).Select(m => m.Value.ToLowerInvariant())
            .Where(d => !IPAddress.TryParse(d, out _) && !emailDomains.Contains(d) && !LooksLikeFileName(d)));
        var hashes = Distinct(HashPattern().Matches(text).Select(m => m.Value.ToLowerInvariant()));
        return new Artifacts(ips, domains, urls, hashes, emails);
    }

    /// <summary>"report.pdf" or "cmd.exe" are file names, not domains.</summary>
    private static bool LooksLikeFileName(string candidate) =>
        candidate.Count(c => c == '.') == 1
        && candidate[(candidate.LastIndexOf('.') + 1)..] is "exe" or "dll" or "pdf" or "doc" or "docx" or "xls" or "xlsx" or "txt" or "zip" or "ps1" or "bat" or "js" or "log";

    private static List<string> Distinct(IEnumerable<string> values) => values.Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    [GeneratedRegex(@"\b(TA\d{4}|T\d{4}(?:\.\d{3})?)\b", RegexOptions.None, TimeoutMilliseconds)]
    private static partial Regex AttackIdPattern();

    /// <summary>Explicit MITRE ATT&amp;CK technique (T1059, T1059.001) and tactic (TA0002) IDs, in order of first appearance.</summary>
    public static IReadOnlyList<string> AttackIds(string text) => Distinct(AttackIdPattern().Matches(text).Select(m => m.Value.ToUpperInvariant()));
}
