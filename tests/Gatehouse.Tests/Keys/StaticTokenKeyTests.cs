using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;
using Gatehouse.Tests.Jwt;

namespace Gatehouse.Tests.Keys;

/// <summary>The static-token preset for pollers, and source-address allow-lists on keys.</summary>
public sealed class StaticTokenKeyTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>, IAsyncLifetime
{
    private GatehouseClient Admin => fixture.Admin;
    private const string Site = GatehouseClient.DefaultSite;

    public async ValueTask InitializeAsync() => await Admin.PutAsync("/api/settings/EnableEnhanceWebhookAuthentication", new { value = true });

    public async ValueTask DisposeAsync() => await Admin.PutAsync("/api/settings/EnableEnhanceWebhookAuthentication", new { value = false });

    private Task<HttpResponseMessage> PollAsync(string token, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/ce_site/VSOC/api/command/GetIncidentsWithNewParameters") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("d3jwt", token);
        return Admin.Http.SendAsync(request);
    }

    private static string PollBody(string username = "admin") =>
        $$"""{ "Username": "{{username}}", "Site": "{{Site}}", "CommandParams": { "Static Fields": [ "IR Number", "Title" ], "Output Format": 2, "Page Index": 0, "Page Size": 100 } }""";

    [Fact]
    public async Task A_static_token_key_binds_Username_and_Site_never_ages_and_says_what_that_risks()
    {
        var (view, secret) = await JwtTestKit.JwtKeyAsync(Admin, new
        {
            name = Unique.Name("Sentinel poller"), module = "UtilityCommand", method = "Jwt", command = "GetIncidentsWithNewParameters", preset = "StaticToken",
        });
        Assert.Equal(["Username", "Site"], view["payloadFields"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal(0, view["maxTokenAgeSeconds"]!.GetValue<int>());
        Assert.Equal("StaticToken", view["preset"]!.GetValue<string>());
        Assert.Contains(view["warnings"]!.AsArray(), w => w!.GetValue<string>().Contains("never expires", StringComparison.Ordinal));
        var token = JwtTestKit.Forge(JwtTestKit.Header(view["kid"]!.GetValue<string>()), $$"""{"Username":"admin","Site":"{{Site}}"}""", secret);

        // The same token, again and again, as a poller sends it every five minutes.
        for (var poll = 0; poll < 3; poll++)
        {
            var answer = await GatehouseClient.Json(await PollAsync(token, PollBody()), HttpStatusCode.OK);
            Assert.Equal("", answer["error"]!.GetValue<string>());
        }
        // It still binds the body: another user or site is refused.
        await GatehouseClient.Problem(await PollAsync(token, PollBody("someone-else")), HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("""{"method":"ApiKey"}""")]
    [InlineData("""{"method":"Jwt","maxTokenAgeSeconds":300}""")]
    [InlineData("""{"method":"Jwt","payloadFields":["Timestamp"]}""")]
    [InlineData("""{"method":"Jwt","rejectReplayedTokens":true}""")]
    public async Task The_preset_refuses_options_it_would_contradict(string options)
    {
        var body = JsonNode.Parse(options)!.AsObject();
        body["name"] = Unique.Name("Poller");
        body["module"] = "UtilityCommand";
        body["command"] = "GetIncidents";
        body["preset"] = "StaticToken";

        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/keys", body), HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task A_key_with_an_allow_list_refuses_other_sources_with_a_401_whose_reason_is_audited()
    {
        var (view, secret) = await JwtTestKit.JwtKeyAsync(Admin, new
        {
            name = Unique.Name("Poller from Azure"), module = "UtilityCommand", method = "Jwt", command = "GetIncidentsWithNewParameters", preset = "StaticToken",
            allowedSources = new[] { "203.0.113.0/24", "2001:db8::/32" },
        });
        Assert.Equal(["203.0.113.0/24", "2001:db8::/32"], view["allowedSources"]!.AsArray().Select(s => s!.GetValue<string>()));
        var token = JwtTestKit.Forge(JwtTestKit.Header(view["kid"]!.GetValue<string>()), $$"""{"Username":"admin","Site":"{{Site}}"}""", secret);

        var refused = await PollAsync(token, PollBody());

        var problem = await GatehouseClient.Problem(refused, HttpStatusCode.Unauthorized);
        Assert.DoesNotContain("203.0.113", problem.ToJsonString());
        var audit = await Admin.AuditAsync($"?key={view["id"]}");
        Assert.Contains(audit, a => a!["reason"]?.GetValue<string>() == "SourceNotAllowed");

        await GatehouseClient.Problem(await Admin.Http.PatchAsJsonAsync($"/api/keys/{view["id"]}", new { allowedSources = new[] { "203.0.113.7/24" } }), HttpStatusCode.BadRequest, "validation_failed");
        var cleared = await GatehouseClient.Json(await Admin.Http.PatchAsJsonAsync($"/api/keys/{view["id"]}", new { allowedSources = Array.Empty<string>() }), HttpStatusCode.OK);
        Assert.Empty(cleared["allowedSources"]!.AsArray());
        await GatehouseClient.Json(await PollAsync(token, PollBody()), HttpStatusCode.OK);
    }
}
