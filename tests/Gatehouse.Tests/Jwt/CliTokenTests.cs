using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;
using static Gatehouse.Tests.Jwt.JwtTestKit;

namespace Gatehouse.Tests.Jwt;

/// <summary><c>gatehouse token</c> and <c>gatehouse send</c>, run as the real executable.</summary>
public class CliTokenTests
{
    private static (int ExitCode, string Output, string Error) Gatehouse(params string[] arguments) =>
        Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "gatehouse.dll"), .. arguments], null);

    private static string PyJwt(string kid, string secret, string payloadJson)
    {
        const string script = """
            import json, sys, jwt
            given = json.load(sys.stdin)
            payload = json.loads(given["payload"])
            print(jwt.encode(payload, given["secret"], algorithm="HS256", headers={"alg": "HS256", "kid": given["kid"], "typ": "JWT"}))
            """;
        var (exit, output, error) = Run(Python, ["-c", script], new JsonObject { ["kid"] = kid, ["secret"] = secret, ["payload"] = payloadJson }.ToJsonString());
        Assert.True(exit == 0, error);
        return output.Trim();
    }

    [Theory]
    [InlineData("123", "my-secret", """{"Site": "Security Operations", "Timestamp": 1764402396.123456, "Param1": "my_param_value"}""")]
    [InlineData("k/ü", "s3cr\"et", """{"z":1,"a":[1,2.50,-0,1e3,true,false,null],"nested":{"b":"c","emoji":"😀 é \u0001 \n \t / \\"}}""")]
    [InlineData("kid", "x", """{"big":123456789012345678901234567890,"small":1e-7,"neg":-2.5E+20,"zero":0.0}""")]
    [InlineData("kid", "x", """{}""")]
    public void Token_is_byte_identical_to_what_PyJWT_prints(string kid, string secret, string payload)
    {
        RequirePyJwt();

        var (exit, output, error) = Gatehouse("token", "--kid", kid, "--secret", secret, "--payload", payload);

        Assert.True(exit == 0, error);
        Assert.Equal(PyJwt(kid, secret, payload), output.Trim());
    }

    [Fact]
    public void Token_with_timestamp_adds_time_time_as_PyJWT_would()
    {
        RequirePyJwt();
        var before = Now();

        var (exit, output, error) = Gatehouse("token", "--kid", "k", "--secret", "s", "--payload", """{"Site":"Security Operations"}""", "--timestamp");

        Assert.Equal(0, exit);
        var token = output.Trim();
        var payloadText = Encoding.UTF8.GetString(Convert.FromBase64String(Pad(token.Split('.')[1].Replace('-', '+').Replace('_', '/'))));
        var timestamp = JsonNode.Parse(payloadText)!["Timestamp"]!.GetValue<double>();
        Assert.InRange(timestamp, before - 1, Now() + 1);
        Assert.Equal(PyJwt("k", "s", payloadText), token);
        // The body must carry the same Timestamp: the command says which, outside the token's own line.
        var printed = System.Text.RegularExpressions.Regex.Match(error, @"Timestamp: (\S+)").Groups[1].Value;
        Assert.Equal(timestamp, double.Parse(printed, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains($"\"Timestamp\":{printed}", payloadText.Replace(" ", ""));
    }

    [Fact]
    public void Bad_arguments_get_a_clear_error_and_a_failing_exit_code()
    {
        var (exit, _, error) = Gatehouse("token", "--kid", "k", "--secret", "s", "--payload", "[1,2]");
        var (missingExit, _, _) = Gatehouse("token", "--kid", "k");

        Assert.NotEqual(0, exit);
        Assert.Contains("--payload must be a JSON object", error);
        Assert.NotEqual(0, missingExit);
    }

    [Fact]
    public async Task Send_posts_with_an_api_key_or_with_a_token_over_the_bodys_fields()
    {
        var store = await GatehouseStore.CreateOrSkipAsync(Provider.Sqlite);
        await using var server = new GatehouseProcess(store);
        await server.StartAsync();
        var admin = await server.AdminAsync();
        var integration = await admin.CreateIntegrationAsync();
        var apiKey = await admin.CreateKeyAsync(integration);
        var url = $"http://127.0.0.1:{server.Port}/VSOC/api/Data/{Uri.EscapeDataString(integration)}/{Uri.EscapeDataString(GatehouseClient.DefaultSite)}/CreateEvents";
        var bodyFile = Path.Combine(store.DataDirectory, "body.json");
        await File.WriteAllTextAsync(bodyFile, """{"Site":"Security Operations","alert":{"name":"from the CLI"}}""");

        var withKey = Gatehouse("send", url, "--key", apiKey.Value, "--body", bodyFile);
        await admin.PutAsync("/api/settings/EnableEnhanceWebhookAuthentication", new { value = true });
        var (view, secret) = await JwtKeyAsync(admin, new
        {
            name = Unique.Name("CLI"), module = "DataIngestion", method = "Jwt", site = GatehouseClient.DefaultSite, integration, intake = "Event",
            payloadFields = new[] { "Site", "Timestamp", "alert" },
        });
        var withToken = Gatehouse("send", url, "--jwt-kid", view["kid"]!.GetValue<string>(), "--jwt-secret", secret, "--body", bodyFile, "--timestamp");
        var wrongSecret = Gatehouse("send", url, "--jwt-kid", view["kid"]!.GetValue<string>(), "--jwt-secret", "nope", "--body", bodyFile, "--timestamp");

        Assert.True(withKey.ExitCode == 0, withKey.Output + withKey.Error);
        Assert.StartsWith("202", withKey.Output);
        Assert.True(withToken.ExitCode == 0, withToken.Output + withToken.Error);
        Assert.StartsWith("202", withToken.Output);
        Assert.Equal(1, wrongSecret.ExitCode);
        Assert.StartsWith("401", wrongSecret.Output);
    }

    private static string Pad(string base64) => base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
}
