using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Intake;

public abstract class IntakeErrorTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;
    private const string Site = GatehouseClient.DefaultSite;

    private async Task<(string Integration, string Key)> KeyAsync()
    {
        var integration = await Admin.CreateIntegrationAsync();
        return (integration, (await Admin.CreateKeyAsync(integration)).Value);
    }

    [Fact]
    public async Task Lone_surrogate_escapes_are_refused_at_intake_and_on_commands_instead_of_failing_after_the_202()
    {
        var (integration, key) = await KeyAsync();
        var command = await Admin.PostAsync("/api/keys", new { name = Unique.Name("Cmd"), module = "UtilityCommand", command = "CreateIncident" });
        var commandKey = (await Admin.GetAsync($"/api/keys/{command["id"]}/secret"))["headerValue"]!.GetValue<string>();
        var request = new HttpRequestMessage(HttpMethod.Post, "/VSOC/api/Command/CreateIncident")
        {
            Content = new StringContent("""{"Site":"Security Operations","CommandParams":{"Incident Type":"X","Title":"a\ud800"}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("d3key", commandKey);

        var intake = await GatehouseClient.Problem(await Admin.SendAsync(integration, Site, """{"hits":[{"t":"ok"},{"t":"bad\ud800"}]}""", key), HttpStatusCode.BadRequest);
        var commandProblem = await GatehouseClient.Problem(await Admin.Http.SendAsync(request), HttpStatusCode.BadRequest);

        Assert.Contains("surrogate", intake["Error"]!.GetValue<string>());
        Assert.Contains("surrogate", commandProblem["Error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Missing_and_unknown_keys_get_the_same_401_that_names_no_secret()
    {
        var (integration, key) = await KeyAsync();
        var almost = key[..^1] + (key[^1] == 'A' ? 'B' : 'A');

        var missing = await GatehouseClient.Problem(await Admin.SendAsync(integration, Site, new { a = 1 }, null), HttpStatusCode.Unauthorized, "unauthorized");
        var unknown = await GatehouseClient.Problem(await Admin.SendAsync(integration, Site, new { a = 1 }, almost), HttpStatusCode.Unauthorized, "unauthorized");
        var empty = await GatehouseClient.Problem(await Admin.SendAsync(integration, Site, new { a = 1 }, ""), HttpStatusCode.Unauthorized, "unauthorized");
        var huge = await GatehouseClient.Problem(await Admin.SendAsync(integration, Site, new { a = 1 }, new string('k', 5000)), HttpStatusCode.Unauthorized);

        Assert.Equal(missing["Error"]!.GetValue<string>(), unknown["Error"]!.GetValue<string>());
        Assert.Equal(missing["Error"]!.GetValue<string>(), empty["Error"]!.GetValue<string>());
        Assert.Equal(missing["Error"]!.GetValue<string>(), huge["Error"]!.GetValue<string>());
        Assert.DoesNotContain(almost, unknown.ToJsonString());
    }

    [Fact]
    public async Task A_key_is_refused_on_another_site_integration_or_intake()
    {
        var (integration, key) = await KeyAsync();
        var otherIntegration = await Admin.CreateIntegrationAsync(incidentIntake: new { mainJsonPath = "$" });
        var otherSite = await Admin.CreateSiteAsync();
        await Admin.PutAsync($"/api/integrations/{Uri.EscapeDataString(integration)}", new { incidentIntake = new { mainJsonPath = "$" } });

        await GatehouseClient.Problem(await Admin.SendAsync(integration, otherSite, new { a = 1 }, key), HttpStatusCode.Unauthorized);
        await GatehouseClient.Problem(await Admin.SendAsync(otherIntegration, Site, new { a = 1 }, key), HttpStatusCode.Unauthorized);
        await GatehouseClient.Problem(await Admin.SendAsync(integration, Site, new { a = 1 }, key, "CreateIncidents"), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.Accepted, (await Admin.SendAsync(integration, Site, new { a = 1 }, key)).StatusCode);
    }

    [Fact]
    public async Task A_shared_internal_key_serves_every_internal_site_and_no_client_site()
    {
        var integration = await Admin.CreateIntegrationAsync();
        var key = await Admin.CreateKeyAsync(integration, shareTo: "AllInternalSites");
        var internalSite = await Admin.CreateSiteAsync("Internal");
        var clientSite = await Admin.CreateSiteAsync("Client");

        Assert.Equal(HttpStatusCode.Accepted, (await Admin.SendAsync(integration, Site, new { a = 1 }, key.Value)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await Admin.SendAsync(integration, internalSite, new { a = 1 }, key.Value)).StatusCode);
        await GatehouseClient.Problem(await Admin.SendAsync(integration, clientSite, new { a = 1 }, key.Value), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_disabled_key_is_refused()
    {
        var integration = await Admin.CreateIntegrationAsync();
        var key = await Admin.CreateKeyAsync(integration, enabled: false);

        await GatehouseClient.Problem(await Admin.SendAsync(integration, Site, new { a = 1 }, key.Value), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_jwt_header_gets_401_while_jwt_authentication_is_not_enabled()
    {
        var (integration, _) = await KeyAsync();

        await GatehouseClient.Problem(await Admin.SendAsync(integration, Site, new { a = 1 }, null,
            configure: r => r.Headers.TryAddWithoutValidation("d3jwt", "eyJhbGciOiJIUzI1NiJ9.e30.x")), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Unknown_integration_or_site_is_404_after_authentication_and_401_before()
    {
        var (integration, key) = await KeyAsync();

        await GatehouseClient.Problem(await Admin.SendAsync("No Such Integration", Site, new { a = 1 }, key), HttpStatusCode.NotFound, "not_found");
        await GatehouseClient.Problem(await Admin.SendAsync(integration, "No Such Site", new { a = 1 }, key), HttpStatusCode.NotFound, "not_found");
        await GatehouseClient.Problem(await Admin.SendAsync("No Such Integration", Site, new { a = 1 }, "wrong"), HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=latin1")]
    public async Task Non_json_content_types_get_415(string contentType)
    {
        var (integration, key) = await KeyAsync();

        await GatehouseClient.Problem(await Admin.SendAsync(integration, Site, "{\"a\":1}", key, contentType: contentType),
            HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task A_body_without_content_type_gets_415()
    {
        var (integration, key) = await KeyAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, $"/VSOC/api/Data/{Uri.EscapeDataString(integration)}/{Uri.EscapeDataString(Site)}/CreateEvents")
        {
            Content = new ByteArrayContent("{}"u8.ToArray()),
        };
        request.Headers.TryAddWithoutValidation("d3key", key);

        await GatehouseClient.Problem(await Admin.Http.SendAsync(request), HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("{\"a\":", "malformed_json")]
    [InlineData("{\"a\":1}}", "malformed_json")]
    [InlineData("", "empty_body")]
    [InlineData("\"text\"", "body_not_object")]
    [InlineData("{\"a\":1,\"a\":2}", "duplicate_property")]
    [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "json_too_deep")]
    public async Task Bad_json_gets_400_with_a_code_that_says_why(string body, string code)
    {
        var (integration, key) = await KeyAsync();

        await GatehouseClient.Problem(await Admin.SendAsync(integration, Site, body, key), HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task Invalid_utf8_and_binary_bodies_get_400()
    {
        var (integration, key) = await KeyAsync();
        foreach (var bytes in new[] { new byte[] { 0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d }, Enumerable.Range(0, 512).Select(i => (byte)(i * 37)).ToArray() })
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/VSOC/api/Data/{Uri.EscapeDataString(integration)}/{Uri.EscapeDataString(Site)}/CreateEvents")
            {
                Content = new ByteArrayContent(bytes),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation("d3key", key);

            await GatehouseClient.Problem(await Admin.Http.SendAsync(request), HttpStatusCode.BadRequest, "invalid_utf8");
        }
    }

    [Fact]
    public async Task A_body_over_the_default_10_MiB_limit_gets_413()
    {
        var (integration, key) = await KeyAsync();
        var body = "{\"blob\":\"" + new string('x', 10 * 1024 * 1024) + "\"}";

        await GatehouseClient.Problem(await Admin.SendAsync(integration, Site, body, key), HttpStatusCode.RequestEntityTooLarge, "body_too_large");
    }

    [Fact]
    public async Task A_bad_wait_or_idempotency_key_gets_400()
    {
        var (integration, key) = await KeyAsync();

        await GatehouseClient.Problem(await Admin.SendAsync(integration, Site, new { a = 1 }, key, query: "?wait=later"), HttpStatusCode.BadRequest, "invalid_wait");
        await GatehouseClient.Problem(await Admin.SendAsync(integration, Site, new { a = 1 }, key,
            configure: r => r.Headers.TryAddWithoutValidation("Idempotency-Key", new string('i', 300))), HttpStatusCode.BadRequest, "invalid_idempotency_key");
    }

    [Fact]
    public async Task Wrong_methods_and_unknown_paths_get_problem_details_not_500()
    {
        var get = await Admin.Http.GetAsync($"/VSOC/api/Data/X/{Uri.EscapeDataString(Site)}/CreateEvents");
        var unknown = await Admin.Http.PostAsync("/VSOC/api/Data/X/Y/DeleteEverything", new StringContent("{}", Encoding.UTF8, "application/json"));

        await GatehouseClient.Problem(get, HttpStatusCode.MethodNotAllowed);
        await GatehouseClient.Problem(unknown, HttpStatusCode.NotFound);
    }
}

public abstract class SmallBodyLimitTests(Provider provider)
{
    [Fact]
    public async Task The_body_and_depth_limits_are_configurable()
    {
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(provider),
            new() { ["Gatehouse:Intake:MaxBodyBytes"] = "2048", ["Gatehouse:Intake:MaxJsonDepth"] = "8" });
        var admin = await factory.AdminAsync();
        var integration = await admin.CreateIntegrationAsync();
        var key = await admin.CreateKeyAsync(integration);

        var large = await admin.SendAsync(integration, GatehouseClient.DefaultSite, new { blob = new string('x', 3000) }, key.Value);
        var deep = await admin.SendAsync(integration, GatehouseClient.DefaultSite, "[[[[[[[[[1]]]]]]]]]", key.Value);
        var fine = await admin.SendAsync(integration, GatehouseClient.DefaultSite, "[[[[[[[[1]]]]]]]]", key.Value);

        await GatehouseClient.Problem(large, HttpStatusCode.RequestEntityTooLarge, "body_too_large");
        await GatehouseClient.Problem(deep, HttpStatusCode.BadRequest, "json_too_deep");
        Assert.Equal(HttpStatusCode.Accepted, fine.StatusCode);
        // The admin API shares the configured body limit and answers it the same way.
        var hugeSite = await admin.Http.PostAsync("/api/sites",
            new StringContent($"{{\"name\":\"{new string('s', 4000)}\",\"kind\":\"Internal\"}}", Encoding.UTF8, "application/json"));
        await GatehouseClient.Problem(hugeSite, HttpStatusCode.RequestEntityTooLarge);
    }
}

public sealed class IntakeErrorTestsOnSqlite(SqliteFixture fixture) : IntakeErrorTests(fixture), IClassFixture<SqliteFixture>;

public sealed class IntakeErrorTestsOnPostgres(PostgresFixture fixture) : IntakeErrorTests(fixture), IClassFixture<PostgresFixture>;

public sealed class SmallBodyLimitTestsOnSqlite() : SmallBodyLimitTests(Provider.Sqlite);

public sealed class SmallBodyLimitTestsOnPostgres() : SmallBodyLimitTests(Provider.Postgres);
