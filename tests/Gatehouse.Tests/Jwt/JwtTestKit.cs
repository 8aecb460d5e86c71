using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Jwt;

/// <summary>Tokens made by hand (for attacks) and by PyJWT (the independent client).</summary>
public static class JwtTestKit
{
    public const string Python = "/usr/bin/python3";

    public static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));

    /// <summary>A token with exactly this header and payload text, signed with HMAC of the given size (or unsigned).</summary>
    public static string Forge(string header, string payload, string? secret, int hmacBits = 256)
    {
        var input = $"{B64(header)}.{B64(payload)}";
        if (secret is null)
        {
            return input + ".";
        }
        var key = Encoding.UTF8.GetBytes(secret);
        var data = Encoding.ASCII.GetBytes(input);
        var signature = hmacBits switch
        {
            384 => HMACSHA384.HashData(key, data),
            512 => HMACSHA512.HashData(key, data),
            _ => HMACSHA256.HashData(key, data),
        };
        return $"{input}.{B64(signature)}";
    }

    public static string Header(string kid, string alg = "HS256") => $"{{\"alg\":\"{alg}\",\"kid\":\"{kid}\",\"typ\":\"JWT\"}}";

    public static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>Skips the test where Debian's python3-jwt (PyJWT) is not installed.</summary>
    public static void RequirePyJwt()
    {
        if (!File.Exists(Python) || Run(Python, ["-c", "import jwt"], null).ExitCode != 0)
        {
            Assert.Skip("PyJWT interop tests need Debian's python3-jwt (/usr/bin/python3 with the jwt module).");
        }
    }

    /// <summary>Runs Python with a script; stdin is given; returns exit code and stdout.</summary>
    public static (int ExitCode, string Output, string Error) Run(string program, IEnumerable<string> arguments, string? input)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        process.StandardInput.Write(input ?? "");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>
    /// The sender's script from the vendor's documentation: the body with Timestamp = time.time(),
    /// the payload its listed fields, encoded by PyJWT with the key view's header. Returns the token
    /// and the body text exactly as Python serialised it.
    /// </summary>
    public static (string Token, string Body) PyJwtSend(JsonNode keyView, string secret, JsonObject body)
    {
        const string script = """
            import json, sys, time, jwt
            given = json.load(sys.stdin)
            body = given["body"]
            fields = given["fields"]
            if "Timestamp" in fields:
                body["Timestamp"] = time.time()
            payload = {name: body[name] for name in fields}
            token = jwt.encode(payload, given["secret"], algorithm="HS256", headers=given["header"])
            print(json.dumps({"token": token, "body": json.dumps(body)}))
            """;
        var input = new JsonObject
        {
            ["body"] = body.DeepClone(),
            ["fields"] = keyView["payloadFields"]!.DeepClone(),
            ["secret"] = secret,
            ["header"] = keyView["jwtHeader"]!.DeepClone(),
        };
        var (exit, output, error) = Run(Python, ["-c", script], input.ToJsonString());
        Assert.True(exit == 0, $"PyJWT script failed: {error}");
        var result = JsonNode.Parse(output)!;
        return (result["token"]!.GetValue<string>(), result["body"]!.GetValue<string>());
    }

    /// <summary>Enables enhanced authentication and creates a JWT key; returns its view and secret.</summary>
    public static async Task<(JsonNode View, string Secret)> JwtKeyAsync(GatehouseClient admin, object request)
    {
        var view = await admin.PostAsync("/api/keys", request);
        var secret = (await admin.GetAsync($"/api/keys/{view["id"]}/secret"))["secretKey"]!.GetValue<string>();
        return (view, secret);
    }

    public static Task<HttpResponseMessage> SendWithTokenAsync(GatehouseClient client, string integration, string site, string body, string? token, string verb = "CreateEvents") =>
        client.SendAsync(integration, site, body, null, verb,
            configure: request => { if (token is not null) { request.Headers.TryAddWithoutValidation("d3jwt", token); } });

    public static string ToJson(object value) => JsonSerializer.Serialize(value);
}
