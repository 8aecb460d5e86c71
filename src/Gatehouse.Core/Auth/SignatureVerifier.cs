using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Core.Auth;

/// <summary>Why a signed request was refused: recorded in the audit log, never told to the caller.</summary>
public enum SignatureProblem { None, MissingSignature, MissingTimestamp, BadTimestamp, StaleTimestamp, MissingId, Mismatch }

/// <summary>The outcome: <see cref="SignatureProblem.None"/> when a signature matched, with the delivery's id when the scheme names one.</summary>
public readonly record struct SignatureCheck(SignatureProblem Problem, string? DeliveryId = null)
{
    public bool Verified => Problem == SignatureProblem.None;
}

/// <summary>
/// Checks a webhook's signature over the exact bytes received, before anything parses them: every signature the
/// header carries against every secret the key holds (the current one, and the previous one during a rotation),
/// each compared in constant time.
/// </summary>
public static class SignatureVerifier
{
    public const int MaxSignatures = 10, MaxIdLength = 200;
    public const string StandardWebhooksSecretPrefix = "whsec_";

    /// <summary>The HMAC key of a secret: a Standard Webhooks secret is <c>whsec_</c> and base64; any other is its UTF-8 bytes.</summary>
    public static byte[] KeyBytes(string secret)
    {
        if (secret.StartsWith(StandardWebhooksSecretPrefix, StringComparison.Ordinal))
        {
            try
            {
                return Convert.FromBase64String(secret[StandardWebhooksSecretPrefix.Length..]);
            }
            catch (FormatException)
            {
                // Not base64 after all: the text is the key, as for any other scheme.
            }
        }
        return Encoding.UTF8.GetBytes(secret);
    }

    /// <summary>A new secret for a scheme: Standard Webhooks' whsec_ form (24 random bytes), or 256 random bits URL-safe.</summary>
    public static string NewSecret(bool standardWebhooks) => standardWebhooks
        ? StandardWebhooksSecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))
        : WebhookSecrets.RandomToken(32);

    public static SignatureCheck Verify(SignatureScheme scheme, IReadOnlyList<byte[]> keys, Func<string, string?> header, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (header(scheme.SignatureHeader) is not { Length: > 0 } signatureText)
        {
            return new(SignatureProblem.MissingSignature);
        }
        var id = scheme.IdHeader is null ? null : header(scheme.IdHeader);
        if (id is { Length: > MaxIdLength } || (id is null && scheme.SignedPayload.Contains(SignatureScheme.Id, StringComparison.Ordinal)))
        {
            return new(SignatureProblem.MissingId);
        }
        string? timestamp = null;
        if (scheme.TimestampHeader is not null)
        {
            timestamp = header(scheme.TimestampHeader);
            if (string.IsNullOrEmpty(timestamp))
            {
                return new(SignatureProblem.MissingTimestamp);
            }
            if (timestamp.Length > 20 || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return new(SignatureProblem.BadTimestamp);
            }
            if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > scheme.ToleranceSeconds)
            {
                return new(SignatureProblem.StaleTimestamp);
            }
        }
        var signed = SignedBytes(scheme.SignedPayload, body, timestamp, id);
        var presented = Signatures(scheme, signatureText);
        var matched = false;
        foreach (var key in keys)
        {
            var expected = scheme.Algorithm == SignatureAlgorithm.Sha512 ? HMACSHA512.HashData(key, signed) : HMACSHA256.HashData(key, signed);
            foreach (var signature in presented)
            {
                // Every comparison runs: how many signatures or secrets there are, not which one matched, shows in the timing.
                matched |= CryptographicOperations.FixedTimeEquals(expected, signature);
            }
        }
        return matched ? new(SignatureProblem.None, id) : new(SignatureProblem.Mismatch);
    }

    private static byte[] SignedBytes(string template, ReadOnlySpan<byte> body, string? timestamp, string? id)
    {
        var at = template.IndexOf(SignatureScheme.Body, StringComparison.Ordinal);
        string Fill(string part) => part.Replace(SignatureScheme.Timestamp, timestamp, StringComparison.Ordinal).Replace(SignatureScheme.Id, id, StringComparison.Ordinal);
        var before = Encoding.UTF8.GetBytes(Fill(template[..at]));
        var after = Encoding.UTF8.GetBytes(Fill(template[(at + SignatureScheme.Body.Length)..]));
        var signed = new byte[before.Length + body.Length + after.Length];
        before.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(before.Length));
        after.CopyTo(signed, before.Length + body.Length);
        return signed;
    }

    private static List<byte[]> Signatures(SignatureScheme scheme, string text)
    {
        var parts = scheme.SeveralSignatures ? text.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [text.Trim()];
        var signatures = new List<byte[]>();
        foreach (var part in parts.Take(MaxSignatures))
        {
            if (scheme.Prefix is { } prefix && !part.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }
            var value = scheme.Prefix is null ? part : part[scheme.Prefix.Length..];
            try
            {
                signatures.Add(scheme.Encoding == SignatureEncoding.Hex ? Convert.FromHexString(value) : Convert.FromBase64String(value));
            }
            catch (FormatException)
            {
                // A signature that is not in the scheme's encoding matches nothing.
            }
        }
        return signatures;
    }
}
