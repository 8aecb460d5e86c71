using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Gatehouse.Core.Auth;

/// <summary>
/// Makes the token PyJWT 2.6 makes for <c>jwt.encode(payload, secret, algorithm="HS256",
/// headers={"alg": "HS256", "kid": kid, "typ": "JWT"})</c>: header members sorted, payload
/// members in their order, compact separators, HMAC-SHA256 over the UTF-8 secret.
/// </summary>
public static class PyJwtCompatible
{
    public static string Encode(string kid, string secret, JsonObject payload)
    {
        var header = new StringBuilder("{\"alg\":\"HS256\",\"kid\":");
        PythonJson.WriteString(kid, header);
        header.Append(",\"typ\":\"JWT\"}");
        var signingInput = $"{Base64Url(Encoding.UTF8.GetBytes(header.ToString()))}.{Base64Url(Encoding.UTF8.GetBytes(PythonJson.Dumps(payload)))}";
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(signingInput));
        return $"{signingInput}.{Base64Url(signature)}";
    }

    /// <summary>Python's <c>time.time()</c> for an instant: epoch seconds as a float, to the microsecond.</summary>
    public static double PythonTime(DateTimeOffset instant) =>
        (instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10 / 1_000_000.0;

    public static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
