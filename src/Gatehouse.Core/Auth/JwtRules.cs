using System.Globalization;
using System.Text.Json;

namespace Gatehouse.Core.Auth;

/// <summary>Why a token was refused: recorded for operators, never told to the caller.</summary>
public enum TokenProblem
{
    None,
    Malformed,
    TooLarge,
    AlgorithmNotAllowed,
    TypeNotAllowed,
    ForbiddenHeader,
    MissingKid,
    UnknownKid,
    BadSignature,
    Expired,
    NotYetValid,
    IssuedInFuture,
    PayloadFieldMissing,
    PayloadFieldMismatch,
    TimestampMissing,
    TimestampStale,
    TimestampInFuture,
    SiteMismatch,
    UserNotAllowed,
    Replayed,
}

/// <summary>The pure checks of a webhook token: its header, its time claims, and its binding to the body.</summary>
public static class JwtRules
{
    public const string Algorithm = "HS256";

    /// <summary>
    /// What the replay store remembers of a token: its signed header and payload segments as sent (any
    /// change to them breaks the signature) and its signature as bytes, re-encoded canonically, so no
    /// re-encoding of the signature (padding, unused trailing bits) passes as a new token.
    /// </summary>
    public static string ReplayIdentity(string token)
    {
        var last = token.LastIndexOf('.');
        if (last < 0)
        {
            return token;
        }
        var signature = token.AsSpan(last + 1).TrimEnd('=');
        var bytes = new byte[System.Buffers.Text.Base64Url.GetMaxDecodedLength(signature.Length)];
        return System.Buffers.Text.Base64Url.TryDecodeFromChars(signature, bytes, out var written)
            ? string.Concat(token.AsSpan(0, last + 1), System.Buffers.Text.Base64Url.EncodeToString(bytes.AsSpan(0, written)))
            : token;
    }
    public const int MaxTokenLength = 8 * 1024;
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>Header members that would let a token name its own key: always refused.</summary>
    private static readonly string[] ForbiddenHeaders = ["jku", "x5u", "jwk", "x5c", "x5t", "x5t#S256", "crit"];

    /// <summary>
    /// Checks the decoded JOSE header: <c>alg</c> exactly HS256, <c>typ</c> (if present) JWT,
    /// <c>kid</c> a non-empty string, and none of the members that point at other keys.
    /// </summary>
    public static TokenProblem CheckHeader(JsonElement header, out string kid)
    {
        kid = "";
        if (header.ValueKind != JsonValueKind.Object)
        {
            return TokenProblem.Malformed;
        }
        if (!header.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != Algorithm)
        {
            return TokenProblem.AlgorithmNotAllowed;
        }
        if (header.TryGetProperty("typ", out var typ)
            && (typ.ValueKind != JsonValueKind.String || !string.Equals(typ.GetString(), "JWT", StringComparison.OrdinalIgnoreCase)))
        {
            return TokenProblem.TypeNotAllowed;
        }
        if (ForbiddenHeaders.Any(name => header.TryGetProperty(name, out _)))
        {
            return TokenProblem.ForbiddenHeader;
        }
        if (!header.TryGetProperty("kid", out var kidElement) || kidElement.ValueKind != JsonValueKind.String
            || string.IsNullOrWhiteSpace(kidElement.GetString()) || kidElement.GetString()!.Length > 200
            || kidElement.GetString()!.Any(char.IsControl))
        {
            return TokenProblem.MissingKid;
        }
        kid = kidElement.GetString()!;
        return TokenProblem.None;
    }

    /// <summary><c>exp</c>, <c>nbf</c> and <c>iat</c> when present (numeric dates), with the clock skew.</summary>
    public static TokenProblem CheckTimeClaims(JsonElement payload, DateTimeOffset now)
    {
        var seconds = now.ToUnixTimeMilliseconds() / 1000.0;
        var skew = ClockSkew.TotalSeconds;
        if (Claim(payload, "exp") is { Present: true } exp && (exp.Value is not { } expires || seconds > expires + skew))
        {
            return TokenProblem.Expired;
        }
        if (Claim(payload, "nbf") is { Present: true } nbf && (nbf.Value is not { } notBefore || seconds < notBefore - skew))
        {
            return TokenProblem.NotYetValid;
        }
        if (Claim(payload, "iat") is { Present: true } iat && (iat.Value is not { } issued || issued > seconds + skew))
        {
            return TokenProblem.IssuedInFuture;
        }
        return TokenProblem.None;
    }

    /// <summary>
    /// <c>Timestamp</c> in epoch seconds (integer or fractional, as Python's time.time() gives) no older
    /// than <paramref name="maxAgeSeconds"/> (0: not checked) and not in the future, with the clock skew.
    /// </summary>
    public static TokenProblem CheckTimestamp(JsonElement payload, DateTimeOffset now, int maxAgeSeconds)
    {
        if (TimestampSeconds(payload) is not { } timestamp)
        {
            return TokenProblem.TimestampMissing;
        }
        if (maxAgeSeconds == 0)
        {
            return TokenProblem.None;
        }
        var seconds = now.ToUnixTimeMilliseconds() / 1000.0;
        if (timestamp > seconds + ClockSkew.TotalSeconds)
        {
            return TokenProblem.TimestampInFuture;
        }
        return seconds - timestamp > maxAgeSeconds + ClockSkew.TotalSeconds ? TokenProblem.TimestampStale : TokenProblem.None;
    }

    /// <summary>The Timestamp claim in epoch seconds: a number, or text as Microsoft Sentinel's poller sends it (epoch seconds, or <c>yyyy-MM-dd HH:mm:ss</c> UTC).</summary>
    public static double? TimestampSeconds(JsonElement payload) => Claim(payload, "Timestamp").Value ?? TextTimestamp(payload);

    private static double? TextTimestamp(JsonElement payload)
    {
        if (payload.ValueKind != JsonValueKind.Object || !payload.TryGetProperty("Timestamp", out var element) || element.ValueKind != JsonValueKind.String)
        {
            return null;
        }
        var text = element.GetString()!.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds))
        {
            return seconds;
        }
        return DateTimeOffset.TryParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time.ToUnixTimeMilliseconds() / 1000.0 : null;
    }

    /// <summary>Every payload field must be in the token and equal (as JSON) to the body's top-level member of that name.</summary>
    public static TokenProblem CheckBinding(JsonElement payload, JsonElement body, IEnumerable<string> payloadFields)
    {
        foreach (var field in payloadFields)
        {
            if (!payload.TryGetProperty(field, out var claimed))
            {
                return TokenProblem.PayloadFieldMissing;
            }
            if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty(field, out var sent) || !JsonEquality.AreEqual(claimed, sent))
            {
                return TokenProblem.PayloadFieldMismatch;
            }
        }
        return TokenProblem.None;
    }

    /// <summary>Whether a claim is present, and its value when it is a finite number.</summary>
    private static (bool Present, double? Value) Claim(JsonElement payload, string name)
    {
        if (payload.ValueKind != JsonValueKind.Object || !payload.TryGetProperty(name, out var element))
        {
            return (false, null);
        }
        var isNumber = element.ValueKind == JsonValueKind.Number
            && double.TryParse(element.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
            && double.IsFinite(parsed);
        return (true, isNumber ? double.Parse(element.GetRawText(), CultureInfo.InvariantCulture) : null);
    }
}
