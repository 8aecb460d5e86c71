using System.Text.Json;
using Gatehouse.Core.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;

namespace Gatehouse.Features.Keys;

/// <summary>
/// Keys whose senders sign their bodies (Standard Webhooks, GitHub, a configured HMAC): their secret is kept encrypted, as it
/// must be at hand to verify, and it is never looked up — a signed request is matched to the keys of the endpoint it names.
/// Also what any sender without a header credential (these, and query-token senders) must be told to set.
/// </summary>
public static class SignedKeys
{
    public const int MinSecretLength = 16, MaxSecretLength = 512;

    public static SignatureScheme? Scheme(WebhookKey key) =>
        key.Method.Scheme(key.SignatureJson is null ? null : JsonSerializer.Deserialize<SignatureScheme>(key.SignatureJson, GatehouseJson.Options));

    public static string Serialize(SignatureScheme scheme) => JsonSerializer.Serialize(scheme, GatehouseJson.Options);

    /// <summary>The secret of a new or regenerated key: the one its vendor gave, or a new one in the scheme's form.</summary>
    public static string SecretFor(KeyMethod method, string? given) => given?.Trim() is { Length: > 0 } secret ? secret : SignatureVerifier.NewSecret(method == KeyMethod.StandardWebhooks);

    /// <summary>
    /// The lookup hash a signed key stores: random, so it can match no presented value (the column is unique and looked up by
    /// API keys) and two keys given the same vendor secret do not collide.
    /// </summary>
    public static byte[] UnmatchableHash() => WebhookSecrets.Hash("signed-key:" + WebhookSecrets.RandomToken(32));

    public static void CheckSecret(KeyMethod method, string? secret, ICollection<string> errors)
    {
        if (secret is null)
        {
            return;
        }
        var trimmed = secret.Trim();
        if (trimmed.Length is < MinSecretLength or > MaxSecretLength || trimmed.Any(char.IsControl))
        {
            errors.Add($"'secret' must be {MinSecretLength} to {MaxSecretLength} characters without control characters: the signing secret as the sender's settings show it.");
        }
        else if (method == KeyMethod.StandardWebhooks && SignatureVerifier.KeyBytes(trimmed, standardWebhooks: true) is null)
        {
            errors.Add($"'secret': a Standard Webhooks secret is whsec_ and base64 of at least {SignatureVerifier.MinKeyBytes} bytes, as the sender shows it.");
        }
    }

    /// <summary>What to set in the sender, in its own words.</summary>
    public static string? SenderSetup(WebhookKey key) => key.Method switch
    {
        KeyMethod.StandardWebhooks =>
            "In the sender's webhook settings (Standard Webhooks, as svix and others send them), set the endpoint URL to the key's Request URL and its signing secret "
            + "to this key's secret (whsec_…), or give this key the secret the sender shows. It signs each delivery with webhook-id, webhook-timestamp and webhook-signature; "
            + "deliveries older than 5 minutes are refused, and a delivery sent again with the same webhook-id is answered without being stored twice.",
        KeyMethod.GitHub =>
            "In the sender's webhook settings (GitHub: Settings › Webhooks › Add webhook), set the Payload URL to the key's Request URL, the content type to "
            + "application/json and the Secret to this key's secret. Each delivery carries X-Hub-Signature-256; X-GitHub-Delivery keeps a redelivery from being stored twice.",
        KeyMethod.Hmac when Scheme(key) is { } scheme =>
            $"Set the sender's URL to the key's Request URL and its secret to this key's secret. It must send {scheme.SignatureHeader}: "
            + $"{scheme.Prefix}<{(scheme.Encoding == SignatureEncoding.Hex ? "hex" : "base64")} HMAC-{(scheme.Algorithm == SignatureAlgorithm.Sha512 ? "SHA512" : "SHA256")} of {scheme.SignedPayload}>"
            + (scheme.TimestampHeader is null ? "" : $", with {scheme.TimestampHeader} in Unix seconds (within {scheme.ToleranceSeconds} s)")
            + (scheme.IdHeader is null ? "" : $"; {scheme.IdHeader} keeps a repeated delivery from being stored twice") + ".",
        KeyMethod.QueryToken =>
            $"For a sender that can set no header: append ?{WebhookSecrets.QueryTokenParameter}=<this key's value> to the key's Request URL. {QueryTokenWarning}",
        _ => null,
    };

    public const string QueryTokenWarning =
        "A token in the URL is weaker than a header or a signature: proxies, browsers and the sender's own logs may keep URLs. Gatehouse never logs it; "
        + "give the key an allow-list of the sender's addresses (allowedSources) and regenerate it if a URL leaks.";
}
