using System.Text.RegularExpressions;

namespace Gatehouse.Core.Auth;

public enum SignatureAlgorithm { Sha256, Sha512 }

public enum SignatureEncoding { Hex, Base64 }

/// <summary>
/// How a sender signs its webhooks: the header carrying the signature (after <see cref="Prefix"/>, in
/// <see cref="Encoding"/>), the HMAC <see cref="Algorithm"/>, and the bytes signed — <see cref="SignedPayload"/> with
/// <c>{body}</c> the raw body, <c>{timestamp}</c> the value of <see cref="TimestampHeader"/> (Unix seconds, within
/// <see cref="ToleranceSeconds"/> of now) and <c>{id}</c> the value of <see cref="IdHeader"/> (the delivery's id, kept as
/// its idempotency key). With <see cref="SeveralSignatures"/> the header lists signatures separated by spaces (a sender
/// rotating its secret signs with both).
/// </summary>
public sealed partial record SignatureScheme(
    string SignatureHeader,
    SignatureAlgorithm Algorithm = SignatureAlgorithm.Sha256,
    SignatureEncoding Encoding = SignatureEncoding.Hex,
    string? Prefix = null,
    string? TimestampHeader = null,
    int ToleranceSeconds = SignatureScheme.DefaultToleranceSeconds,
    string SignedPayload = SignatureScheme.Body,
    string? IdHeader = null,
    bool SeveralSignatures = false)
{
    public const string Body = "{body}", Timestamp = "{timestamp}", Id = "{id}";
    public const int DefaultToleranceSeconds = 300, MaxToleranceSeconds = 3600, MaxPrefixLength = 32, MaxPayloadLength = 200;

    /// <summary>Standard Webhooks (svix and others): <c>v1,</c> base64 HMAC-SHA256 of <c>id.timestamp.body</c>, five minutes' tolerance.</summary>
    public static readonly SignatureScheme StandardWebhooks = new("webhook-signature", SignatureAlgorithm.Sha256, SignatureEncoding.Base64, "v1,",
        "webhook-timestamp", DefaultToleranceSeconds, "{id}.{timestamp}.{body}", "webhook-id", SeveralSignatures: true);

    /// <summary>GitHub and those who copied it: <c>X-Hub-Signature-256: sha256=</c> hex HMAC-SHA256 of the raw body.</summary>
    public static readonly SignatureScheme GitHub = new("X-Hub-Signature-256", SignatureAlgorithm.Sha256, SignatureEncoding.Hex, "sha256=", IdHeader: "X-GitHub-Delivery");

    /// <summary>Every problem of a scheme an operator configured, named by the API's members (<c>signature.header</c>).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        var payload = SignedPayload ?? ""; // a JSON null is refused below, as a template without {body}
        if (!IsHeaderName(SignatureHeader))
        {
            problems.Add("'signature.signatureHeader' must be a header name (letters, digits and - _ . only), such as X-Signature.");
        }
        if (TimestampHeader is not null && !IsHeaderName(TimestampHeader))
        {
            problems.Add("'signature.timestampHeader' must be a header name, or be left out.");
        }
        if (IdHeader is not null && !IsHeaderName(IdHeader))
        {
            problems.Add("'signature.idHeader' must be a header name, or be left out.");
        }
        if (Prefix is { } prefix && (prefix.Length > MaxPrefixLength || prefix.Any(char.IsControl)))
        {
            problems.Add($"'signature.prefix' is at most {MaxPrefixLength} characters, without control characters.");
        }
        if (ToleranceSeconds is < 1 or > MaxToleranceSeconds)
        {
            problems.Add($"'signature.toleranceSeconds' must be between 1 and {MaxToleranceSeconds}.");
        }
        if (payload.Length > MaxPayloadLength || Placeholder().Matches(payload).Count(m => m.Value == Body) != 1)
        {
            problems.Add($"'signature.signedPayload' must hold {Body} exactly once (at most {MaxPayloadLength} characters), such as v0:{{timestamp}}:{{body}}.");
        }
        foreach (var unknown in Placeholder().Matches(payload).Select(m => m.Value).Where(v => v is not (Body or Timestamp or Id)).Distinct())
        {
            problems.Add($"'signature.signedPayload': {unknown} is not one of {Body}, {Timestamp}, {Id}.");
        }
        if (payload.Contains(Timestamp, StringComparison.Ordinal) && TimestampHeader is null)
        {
            problems.Add($"'signature.signedPayload' signs {Timestamp}: name the header it comes from in 'signature.timestampHeader'.");
        }
        if (TimestampHeader is not null && !payload.Contains(Timestamp, StringComparison.Ordinal))
        {
            problems.Add($"'signature.timestampHeader' is checked only if it is signed: put {Timestamp} in 'signature.signedPayload' (else a captured delivery could be replayed with a fresh one).");
        }
        foreach (var (member, header) in new[] { ("timestampHeader", TimestampHeader), ("idHeader", IdHeader) })
        {
            if (header is not null && string.Equals(header, SignatureHeader, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"'signature.{member}' must be another header than 'signature.signatureHeader'.");
            }
        }
        foreach (var (member, header) in new[] { ("signatureHeader", SignatureHeader), ("timestampHeader", TimestampHeader), ("idHeader", IdHeader) })
        {
            if (header is not null && ReservedHeaders.Contains(header, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"'signature.{member}' cannot be {header}: it frames the request or carries other credentials.");
            }
        }
        if (SeveralSignatures && Prefix?.Contains(' ', StringComparison.Ordinal) == true)
        {
            problems.Add("'signature.prefix' cannot hold a space when 'signature.severalSignatures' splits the header at spaces.");
        }
        if (payload.Contains(Id, StringComparison.Ordinal) && IdHeader is null)
        {
            problems.Add($"'signature.signedPayload' signs {Id}: name the header it comes from in 'signature.idHeader'.");
        }
        return problems;
    }

    /// <summary>Headers a scheme cannot take its signature, timestamp or id from.</summary>
    public static readonly IReadOnlyList<string> ReservedHeaders =
        ["Host", "Content-Length", "Content-Type", "Transfer-Encoding", "Connection", "Cookie", "Authorization", "Expect", "Upgrade"];

    private static bool IsHeaderName(string? name) => name is { Length: > 0 and <= 100 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    [GeneratedRegex(@"\{[a-z]+\}")]
    internal static partial Regex Placeholder();
}
