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

    public const int MinKeyBytes = 16;

    /// <summary>
    /// The HMAC key of a secret: for Standard Webhooks the base64 after <c>whsec_</c> (as its libraries read it; null when it is
    /// not base64 or shorter than <see cref="MinKeyBytes"/>), for any other scheme the secret's UTF-8 bytes.
    /// </summary>
    public static byte[]? KeyBytes(string secret, bool standardWebhooks)
    {
        if (!standardWebhooks)
        {
            return Encoding.UTF8.GetBytes(secret);
        }
        var encoded = secret.StartsWith(StandardWebhooksSecretPrefix, StringComparison.Ordinal) ? secret[StandardWebhooksSecretPrefix.Length..] : secret;
        try
        {
            var key = Convert.FromBase64String(encoded);
            return key.Length >= MinKeyBytes ? key : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// What makes a delivery a repeat: its id as sent where the signature covers it; else (an unsigned id, or one that is not
    /// plain visible ASCII) a hash of the id and the body, so a replayed id with another body never hides the real delivery.
    /// </summary>
    public static string DeliveryKey(SignatureScheme scheme, string id, ReadOnlySpan<byte> body)
    {
        if (scheme.SignedPayload.Contains(SignatureScheme.Id, StringComparison.Ordinal) && id.Length is > 0 and <= MaxIdLength && id.All(c => c is > ' ' and <= '~'))
        {
            return id;
        }
        var idBytes = Encoding.UTF8.GetBytes(id + "\n");
        var bytes = new byte[idBytes.Length + body.Length];
        idBytes.CopyTo(bytes, 0);
        body.CopyTo(bytes.AsSpan(idBytes.Length));
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>A new secret for a scheme: Standard Webhooks' whsec_ form (24 random bytes), or 256 random bits URL-safe.</summary>
    public static string NewSecret(bool standardWebhooks) => standardWebhooks
        ? StandardWebhooksSecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))
        : WebhookSecrets.RandomToken(32);

    /// <summary>Verifies a delivery; <see cref="SignatureCheck.DeliveryId"/> is then its <see cref="DeliveryKey"/>.</summary>
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
        return matched ? new(SignatureProblem.None, id is null ? null : DeliveryKey(scheme, id, body)) : new(SignatureProblem.Mismatch);
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
        // Entries of other versions (v1a, …) are passed over before the cap, so they cannot crowd out the one that signs.
        foreach (var part in parts.Where(p => scheme.Prefix is null || p.StartsWith(scheme.Prefix, StringComparison.Ordinal)).Take(MaxSignatures))
        {
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
