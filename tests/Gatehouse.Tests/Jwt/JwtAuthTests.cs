using System.Net.Http.Json;
using System.Net;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;
using static Gatehouse.Tests.Jwt.JwtTestKit;

namespace Gatehouse.Tests.Jwt;

/// <summary>Webhooks authenticated by HS256 tokens, with EnableEnhanceWebhookAuthentication on.</summary>
public abstract class JwtAuthTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;
    private const string Site = GatehouseClient.DefaultSite;

    private async Task<(string Integration, JsonNode View, string Secret)> IntakeKeyAsync(object? sampleBody = null, bool oneTime = false, int? maxAge = null)
    {
        await Admin.PutAsync("/api/settings/EnableEnhanceWebhookAuthentication", new { value = true });
        var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.alert.name" } } });
        var (view, secret) = await JwtKeyAsync(Admin, new
        {
            name = Unique.Name("JWT"), module = "DataIngestion", method = "Jwt", site = Site, integration, intake = "Event",
            // A JsonNode keeps the member names as written (the client's camelCase policy would not).
            sampleBody = System.Text.Json.JsonSerializer.SerializeToNode(sampleBody ?? new { Site, Timestamp = 0, Param1 = "my_param_value", alert = new { name = "x" } }),
            rejectReplayedTokens = oneTime, maxTokenAgeSeconds = maxAge,
        });
        return (integration, view, secret);
    }

    [Fact]
    public async Task The_vendor_PyJWT_script_with_the_key_views_header_payload_fields_and_secret_is_accepted()
    {
        RequirePyJwt();
        var (integration, view, secret) = await IntakeKeyAsync();
        Assert.Equal(["Site", "Timestamp", "Param1", "alert"], view["payloadFields"]!.AsArray().Select(f => f!.GetValue<string>()));

        var (token, body) = PyJwtSend(view, secret, new JsonObject
        {
            ["Site"] = Site, ["Param1"] = "my_param_value", ["alert"] = new JsonObject { ["name"] = "Impossible travel", ["score"] = 7.5 },
        });
        var response = await SendWithTokenAsync(Admin, integration, Site, body, token, "CreateEvents?wait=10");

        var result = await GatehouseClient.Json(response, HttpStatusCode.OK);
        Assert.Equal("Impossible travel", result["events"]![0]!["fields"]!["Title"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_jwt_key_view_has_its_kid_header_payload_template_and_defaults()
    {
        var (_, view, secret) = await IntakeKeyAsync();
        var command = await Admin.PostAsync("/api/keys", new { name = Unique.Name("Cmd"), module = "UtilityCommand", method = "Jwt", command = "GetIncidents" });
        var bare = await Admin.PostAsync("/api/keys", new
        {
            name = Unique.Name("Bare"), module = "DataIngestion", method = "Jwt", site = Site, integration = await Admin.CreateIntegrationAsync(), intake = "Event",
            payloadFields = Array.Empty<string>(),
        });

        var kid = view["kid"]!.GetValue<string>();
        Assert.Equal(new JsonObject { ["alg"] = "HS256", ["kid"] = kid, ["typ"] = "JWT" }.ToJsonString(), view["jwtHeader"]!.ToJsonString());
        Assert.Equal("d3jwt", view["requestHeaderKey"]!.GetValue<string>());
        Assert.Equal(Site, view["payloadTemplate"]!["Site"]!.GetValue<string>());
        Assert.Equal(300, view["maxTokenAgeSeconds"]!.GetValue<int>());
        Assert.False(view["rejectReplayedTokens"]!.GetValue<bool>());
        Assert.True(secret.Length >= 43);
        Assert.Equal(["Timestamp", "Site", "Username"], command["payloadFields"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Empty(bare["payloadFields"]!.AsArray());
        Assert.Contains("binds no payload field", bare["warnings"]![0]!.GetValue<string>());
        Assert.Empty(view["warnings"]!.AsArray());
    }

    [Fact]
    public async Task An_intake_jwt_key_binds_nothing_only_when_asked_and_every_command_key_binds_timestamp_site_and_username()
    {
        await Admin.PutAsync("/api/settings/EnableEnhanceWebhookAuthentication", new { value = true });
        var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$" });
        await Admin.PutAsync($"/api/integrations/{Uri.EscapeDataString(integration)}", new { commands = new[] { new { name = "Ping", request = new { method = "GET", path = "/ping" } } } });

        var unasked = await Admin.Http.PostAsJsonAsync("/api/keys", new { name = Unique.Name("Unbound"), module = "DataIngestion", method = "Jwt", site = Site, integration, intake = "Event" });
        var integrationCommand = await Admin.PostAsync("/api/keys", new { name = Unique.Name("Ping"), module = "Integration", method = "Jwt", site = Site, integration, command = "Ping" });

        var problem = await GatehouseClient.Problem(unasked, HttpStatusCode.BadRequest);
        Assert.Contains("\"payloadFields\": []", problem["Error"]!.GetValue<string>());
        Assert.Equal(["Timestamp", "Site", "Username"], integrationCommand["payloadFields"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Empty(integrationCommand["warnings"]!.AsArray());
    }

    [Theory]
    [InlineData("=")]
    [InlineData("==")]
    [InlineData("=====")]
    public async Task Replay_a_one_time_token_re_encoded_with_padding_is_still_refused(string padding)
    {
        var (integration, view, secret) = await IntakeKeyAsync(oneTime: true);
        var body = ToJson(new { Site, Timestamp = Now(), Param1 = "p", alert = new { name = "a" } });
        var token = Forge(Header(view["kid"]!.GetValue<string>()), body, secret);

        Assert.Equal(HttpStatusCode.Accepted, (await SendWithTokenAsync(Admin, integration, Site, body, token)).StatusCode);
        var replay = await SendWithTokenAsync(Admin, integration, Site, body, token + padding);

        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
    }

    [Fact]
    public async Task A_one_time_token_is_accepted_once()
    {
        var (integration, view, secret) = await IntakeKeyAsync(oneTime: true);
        var body = ToJson(new { Site, Timestamp = Now(), Param1 = "p", alert = new { name = "a" } });
        var token = Forge(Header(view["kid"]!.GetValue<string>()), body, secret);

        Assert.Equal(HttpStatusCode.Accepted, (await SendWithTokenAsync(Admin, integration, Site, body, token)).StatusCode);
        await GatehouseClient.Problem(await SendWithTokenAsync(Admin, integration, Site, body, token), HttpStatusCode.Unauthorized);
        var reasons = (await Admin.AuditAsync($"?key={view["id"]}&action=webhook.auth_failed")).Select(r => r!["reason"]!.GetValue<string>());
        Assert.Contains("InvalidToken:Replayed", reasons);
    }

    [Fact]
    public async Task Username_must_be_a_user_allowed_to_use_the_key()
    {
        var (integration, view, secret) = await IntakeKeyAsync(new { Username = "x", Timestamp = 0 });
        var (stranger, _) = await Admin.CreateUserAsync(fixture.Factory, "Analyst", Site);
        string Body(string user) => ToJson(new { Username = user, Timestamp = Now() });
        var kid = view["kid"]!.GetValue<string>();

        Task<HttpResponseMessage> SendAs(string user)
        {
            var body = Body(user);
            return SendWithTokenAsync(Admin, integration, Site, body, Forge(Header(kid), body, secret));
        }

        var creator = await SendAs("admin");
        var other = await SendAs(stranger);
        var nobody = await SendAs("ghost");
        await Admin.Http.PatchAsync($"/api/keys/{view["id"]}", System.Net.Http.Json.JsonContent.Create(new { visibleToAll = true }));
        var otherWhenVisible = await SendAs(stranger);

        var audit = (await Admin.AuditAsync($"?key={view["id"]}")).ToJsonString();
        Assert.True(creator.StatusCode == HttpStatusCode.Accepted, $"creator refused: {audit}");
        Assert.True(otherWhenVisible.StatusCode == HttpStatusCode.Accepted, $"visible-to-all refused: {audit}");
        await GatehouseClient.Problem(other, HttpStatusCode.Unauthorized);
        await GatehouseClient.Problem(nobody, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_regenerated_secret_keeps_working_through_the_grace_only()
    {
        var (integration, view, secret) = await IntakeKeyAsync(new { Timestamp = 0 });
        var kid = view["kid"]!.GetValue<string>();
        await Admin.PostAsync($"/api/keys/{view["id"]}/regenerate", new { graceSeconds = 60 }, System.Net.HttpStatusCode.OK);
        var body = ToJson(new { Timestamp = Now() });
        Assert.Equal(HttpStatusCode.Accepted, (await SendWithTokenAsync(Admin, integration, Site, body, Forge(Header(kid), body, secret))).StatusCode);

        await Admin.PostAsync($"/api/keys/{view["id"]}/regenerate", new { }, System.Net.HttpStatusCode.OK);
        var newSecret = (await Admin.GetAsync($"/api/keys/{view["id"]}/secret"))["secretKey"]!.GetValue<string>();

        await GatehouseClient.Problem(await SendWithTokenAsync(Admin, integration, Site, body, Forge(Header(kid), body, secret)), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.Accepted, (await SendWithTokenAsync(Admin, integration, Site, body, Forge(Header(kid), body, newSecret))).StatusCode);
    }

    public static TheoryData<string> Attacks() =>
    [
        "alg none", "alg None", "alg NONE", "alg HS384", "alg HS512", "alg RS256 with the secret", "missing kid", "unknown kid",
        "kid of another module's key", "path-like kid", "jku header", "embedded jwk header", "tampered header", "tampered payload",
        "tampered signature", "wrong secret", "token for body A on body B", "payload field missing from the token",
        "stale Timestamp", "far-future Timestamp", "expired exp", "empty token", "garbage token", "oversized token",
        "token in the d3key header", "site of another site", "typ not JWT",
    ];

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Attacks_are_refused_with_401_and_never_a_5xx(string attack)
    {
        var (integration, view, secret) = await IntakeKeyAsync(new { Site, Timestamp = 0, Param1 = "x" });
        var kid = view["kid"]!.GetValue<string>();
        var body = ToJson(new { Site, Timestamp = Now(), Param1 = "x" });
        var good = Forge(Header(kid), body, secret);
        var control = await SendWithTokenAsync(Admin, integration, Site, body, good);
        Assert.True(control.StatusCode == HttpStatusCode.Accepted,
            $"the well-formed token was refused: {(await Admin.AuditAsync($"?key={view["id"]}&action=webhook.auth_failed")).ToJsonString()}");
        var sendBody = body;
        var site = Site;
        string? token;
        HttpResponseMessage? response = null;
        switch (attack)
        {
            case "alg none": token = Forge($"{{\"alg\":\"none\",\"kid\":\"{kid}\"}}", body, null); break;
            case "alg None": token = Forge($"{{\"alg\":\"None\",\"kid\":\"{kid}\"}}", body, null); break;
            case "alg NONE": token = Forge($"{{\"alg\":\"NONE\",\"kid\":\"{kid}\"}}", body, secret); break;
            case "alg HS384": token = Forge(Header(kid, "HS384"), body, secret, 384); break;
            case "alg HS512": token = Forge(Header(kid, "HS512"), body, secret, 512); break;
            case "alg RS256 with the secret": token = Forge(Header(kid, "RS256"), body, secret); break;
            case "missing kid": token = Forge("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", body, secret); break;
            case "unknown kid": token = Forge(Header("no-such-kid"), body, secret); break;
            case "kid of another module's key":
                var other = await JwtKeyAsync(Admin, new { name = Unique.Name("Other"), module = "UtilityCommand", method = "Jwt", command = "GetEvents", payloadFields = new[] { "Site" } });
                token = Forge(Header(other.View["kid"]!.GetValue<string>()), body, other.Secret);
                break;
            case "path-like kid": token = Forge(Header("../../../../etc/passwd"), body, secret); break;
            case "jku header": token = Forge($"{{\"alg\":\"HS256\",\"kid\":\"{kid}\",\"jku\":\"http://127.0.0.1:1/keys\"}}", body, secret); break;
            case "embedded jwk header": token = Forge($"{{\"alg\":\"HS256\",\"kid\":\"{kid}\",\"jwk\":{{\"kty\":\"oct\",\"k\":\"AAAA\"}}}}", body, secret); break;
            case "tampered header": token = B64($"{{\"alg\":\"HS256\",\"kid\":\"{kid}\",\"typ\":\"JWT\",\"x\":1}}") + good[good.IndexOf('.')..]; break;
            case "tampered payload":
                var parts = good.Split('.');
                token = $"{parts[0]}.{B64(ToJson(new { Site, Timestamp = Now(), Param1 = "y" }))}.{parts[2]}";
                sendBody = ToJson(new { Site, Timestamp = Now(), Param1 = "y" });
                break;
            case "tampered signature": token = good[..^2] + (good[^2] == 'A' ? "BA" : "AA"); break;
            case "wrong secret": token = Forge(Header(kid), body, secret + "x"); break;
            case "token for body A on body B": token = good; sendBody = ToJson(new { Site, Timestamp = Now(), Param1 = "B" }); break;
            case "payload field missing from the token": token = Forge(Header(kid), ToJson(new { Site, Param1 = "x" }), secret); break;
            case "stale Timestamp":
                sendBody = ToJson(new { Site, Timestamp = Now() - 3600, Param1 = "x" });
                token = Forge(Header(kid), sendBody, secret);
                break;
            case "far-future Timestamp":
                sendBody = ToJson(new { Site, Timestamp = Now() + 3600, Param1 = "x" });
                token = Forge(Header(kid), sendBody, secret);
                break;
            case "expired exp":
                token = Forge(Header(kid), ToJson(new { Site, Timestamp = Now(), Param1 = "x", exp = (long)Now() - 600 }), secret);
                sendBody = body;
                break;
            case "empty token": token = ""; break;
            case "garbage token": token = "this.is.not-a-token!"; break;
            case "oversized token": token = Forge(Header(kid), ToJson(new { Site, Timestamp = Now(), Param1 = new string('x', 9000) }), secret); break;
            case "token in the d3key header":
                token = null;
                response = await Admin.SendAsync(integration, site, body, good);
                break;
            case "site of another site":
                site = await Admin.CreateSiteAsync();
                token = good;
                break;
            case "typ not JWT": token = Forge($"{{\"alg\":\"HS256\",\"kid\":\"{kid}\",\"typ\":\"JOSE+JSON\"}}", body, secret); break;
            default: throw new InvalidOperationException(attack);
        }
        response ??= await SendWithTokenAsync(Admin, integration, site, sendBody, token);

        await GatehouseClient.Problem(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Concurrent_uses_of_a_one_time_token_on_a_command_route_run_the_command_once_and_refuse_the_rest_with_401()
    {
        await Admin.PutAsync("/api/settings/EnableEnhanceWebhookAuthentication", new { value = true });
        var (view, secret) = await JwtKeyAsync(Admin, new
        {
            name = Unique.Name("One-time command"), module = "UtilityCommand", method = "Jwt", command = "ExtractArtifacts", rejectReplayedTokens = true,
        });
        var body = ToJson(new Dictionary<string, object> { ["Username"] = "admin", ["Site"] = Site, ["Timestamp"] = Now(), ["CommandParams"] = new Dictionary<string, string> { ["Text"] = "seen 198.51.100.23" } });
        var payload = System.Text.Json.Nodes.JsonNode.Parse(body)!.AsObject();
        payload.Remove("CommandParams");
        var token = Forge(Header(view["kid"]!.GetValue<string>()), payload.ToJsonString(), secret);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/VSOC/api/Command/ExtractArtifacts") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("d3jwt", token);
            using var response = await Admin.Http.SendAsync(request);
            return response.StatusCode;
        }));

        Assert.Equal(1, answers.Count(a => a == HttpStatusCode.OK));
        Assert.Equal(7, answers.Count(a => a == HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task A_forged_token_naming_a_real_kid_could_spend_the_keys_rate_limit_and_probe_names()
    {
        // Regression: the signature was checked only after the body, so a forged token got 404s naming what exists and 429s for the real sender.
        await Admin.PutAsync("/api/settings/EnableEnhanceWebhookAuthentication", new { value = true });
        var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$" });
        var (view, secret) = await JwtKeyAsync(Admin, new
        {
            name = Unique.Name("Probed"), module = "DataIngestion", method = "Jwt", site = Site, integration, intake = "Event", payloadFields = Array.Empty<string>(), rateLimitPerSecond = 2,
        });
        var kid = view["kid"]!.GetValue<string>();
        var body = ToJson(new { alert = "x" });
        var forged = Forge(Header(kid), "{}", "not the secret");

        foreach (var site in new[] { "No such site", Site, Site, Site, Site, Site })
        {
            await GatehouseClient.Problem(await SendWithTokenAsync(Admin, integration, site, body, forged), HttpStatusCode.Unauthorized, "unauthorized");
        }
        Assert.Equal(HttpStatusCode.Accepted, (await SendWithTokenAsync(Admin, integration, Site, body, Forge(Header(kid), "{}", secret))).StatusCode);
    }
}

public sealed class JwtAuthTestsOnSqlite(SqliteFixture fixture) : JwtAuthTests(fixture), IClassFixture<SqliteFixture>;

public sealed class JwtAuthTestsOnPostgres(PostgresFixture fixture) : JwtAuthTests(fixture), IClassFixture<PostgresFixture>;
