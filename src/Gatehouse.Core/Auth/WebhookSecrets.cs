using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Core.Auth;

/// <summary>Random credentials and the hashes under which they are looked up.</summary>
public static class WebhookSecrets
{
    public const string ApiKeyPrefix = "ghk_";
    public const string SessionTokenPrefix = "gha_";
    public const string QueryTokenPrefix = "ghq_";

    /// <summary>The query-string parameter a <see cref="KeyMethod.QueryToken"/> key's value travels in.</summary>
    public const string QueryTokenParameter = "token";

    public static string NewQueryToken() => QueryTokenPrefix + RandomToken(32);

    /// <summary>The lookup hash of a query token, salted so that an API key sent in a URL (or a query token in a header) never matches.</summary>
    public static byte[] QueryTokenHash(string token) => Hash("query-token:" + token);

    /// <summary>A new API key value: 256 random bits, URL-safe.</summary>
    public static string NewApiKey() => ApiKeyPrefix + RandomToken(32);

    public static string NewSessionToken() => SessionTokenPrefix + RandomToken(32);

    /// <summary>A JWT signing secret: 256 random bits, URL-safe (PyJWT signs with its UTF-8 bytes).</summary>
    public static string NewJwtSecret() => RandomToken(32);

    /// <summary>A key id for a JWT key's header.</summary>
    public static string NewKid() => RandomToken(12);

    /// <summary>
    /// The lookup hash stored for a JWT key. It is salted with a label so that a JWT secret sent as
    /// an API key can never match it.
    /// </summary>
    public static byte[] JwtSecretHash(string secret) => Hash("jwt-secret:" + secret);

    public static string RandomToken(int bytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>SHA-256 of the value: high-entropy secrets need no slow hash, and this is the lookup key.</summary>
    public static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));

    public static bool HashesEqual(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => CryptographicOperations.FixedTimeEquals(a, b);
}
