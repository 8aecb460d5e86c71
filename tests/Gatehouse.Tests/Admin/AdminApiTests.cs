using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Admin;

public abstract class AdminApiTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;
    private GatehouseFactory Factory => fixture.Factory;

    [Fact]
    public async Task A_fresh_install_has_the_internal_site_Security_Operations_and_the_admin_user()
    {
        var sites = await Admin.GetAsync("/api/sites");
        var users = await Admin.GetAsync("/api/users");
        var me = await Admin.GetAsync("/api/auth/me");

        Assert.Contains(sites.AsArray(), s => s!["name"]!.GetValue<string>() == "Security Operations" && s["kind"]!.GetValue<string>() == "Internal");
        Assert.Contains(users.AsArray(), u => u!["username"]!.GetValue<string>() == "admin" && u["role"]!.GetValue<string>() == "Administrator");
        Assert.Equal("admin", me["username"]!.GetValue<string>());
    }

    [Fact]
    public async Task Wrong_passwords_and_unknown_users_get_the_same_401()
    {
        var client = Factory.CreateClient();

        var wrong = await GatehouseClient.Problem(await client.PostAsJsonAsync("/api/auth/token", new { username = "admin", password = "nope-nope" }), HttpStatusCode.Unauthorized);
        var unknown = await GatehouseClient.Problem(await client.PostAsJsonAsync("/api/auth/token", new { username = "ghost", password = "nope-nope" }), HttpStatusCode.Unauthorized);
        var missing = await GatehouseClient.Problem(await client.PostAsJsonAsync("/api/auth/token", new { username = "admin" }), HttpStatusCode.BadRequest);

        Assert.Equal(wrong["Error"]!.GetValue<string>(), unknown["Error"]!.GetValue<string>());
        Assert.NotNull(missing);
    }

    [Fact]
    public async Task The_admin_api_needs_a_valid_bearer_token()
    {
        var client = Factory.CreateClient();

        await GatehouseClient.Problem(await client.GetAsync("/api/events"), HttpStatusCode.Unauthorized, "unauthorized");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "gha_forged");
        await GatehouseClient.Problem(await client.GetAsync("/api/events"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Analysts_cannot_use_administrator_operations()
    {
        var analyst = await Admin.CreateAnalystAsync(Factory, "Security Operations");

        await GatehouseClient.Problem(await analyst.Http.GetAsync("/api/users"), HttpStatusCode.Forbidden, "forbidden");
        await GatehouseClient.Problem(await analyst.Http.PostAsJsonAsync("/api/sites", new { name = "x", kind = "Client" }), HttpStatusCode.Forbidden);
        await GatehouseClient.Problem(await analyst.Http.PostAsJsonAsync("/api/integrations", new { name = "x" }), HttpStatusCode.Forbidden);
        await GatehouseClient.Problem(await analyst.Http.PutAsJsonAsync("/api/settings/EnableEnhanceWebhookAuthentication", new { value = true }), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Sites_and_users_are_validated_and_unique()
    {
        var name = await Admin.CreateSiteAsync("Client");

        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/sites", new { name = name.ToUpperInvariant(), kind = "Client" }), HttpStatusCode.Conflict, "site_exists");
        var invalid = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/sites", new { name = "a/b" }), HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(2, invalid["errors"]!.AsArray().Count);
        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/sites", new { name = "x", kind = "Partner" }), HttpStatusCode.BadRequest);

        var user = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/users", new { username = "u", password = "short", role = "Analyst", sites = new[] { "Nowhere" } }), HttpStatusCode.BadRequest);
        Assert.Equal(2, user["errors"]!.AsArray().Count);
        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/users", new { username = "ADMIN", password = "long-enough", role = "Analyst" }), HttpStatusCode.Conflict, "user_exists");
    }

    [Theory]
    [InlineData("/api/sites", "{\"name\":")]
    [InlineData("/api/sites", "{\"name\":42,\"kind\":\"Internal\"}")]
    [InlineData("/api/users", "[1,2,3]")]
    [InlineData("/api/integrations", "{\"name\":\"x\",\"eventIntake\":\"not an object\"}")]
    [InlineData("/api/keys", "{\"name\":\"x\",\"module\":7}")]
    [InlineData("/api/auth/token", "not json at all")]
    public async Task Malformed_admin_bodies_get_400_problems_never_500(string path, string body)
    {
        var response = await Admin.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

        await GatehouseClient.Problem(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Integrations_list_every_invalid_json_path_in_one_400()
    {
        var problem = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/integrations", new
        {
            name = Unique.Name("Broken"),
            eventIntake = new { mainJsonPath = "$[", fieldMappings = new[] { new { field = "Title", source = "$.a." }, new { field = "", source = "$.b" } } },
            incidentIntake = new { mainJsonPath = "$.cases", eventsJsonPath = "$['x" },
        }), HttpStatusCode.BadRequest, "validation_failed");

        Assert.Equal(4, problem["errors"]!.AsArray().Count);
    }

    [Fact]
    public async Task Integrations_are_read_by_name_and_updated()
    {
        var name = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$.a" });

        await Admin.PutAsync($"/api/integrations/{Uri.EscapeDataString(name.ToLowerInvariant())}", new { eventIntake = new { mainJsonPath = "$.b", fieldMappings = new[] { new { field = "title", source = "$.t" } } } });
        var read = await Admin.GetAsync($"/api/integrations/{Uri.EscapeDataString(name)}");

        Assert.Equal("$.b", read["eventIntake"]!["mainJsonPath"]!.GetValue<string>());
        Assert.Equal("title", read["eventIntake"]!["fieldMappings"]![0]!["field"]!.GetValue<string>());
        await GatehouseClient.Problem(await Admin.Http.GetAsync("/api/integrations/Nope"), HttpStatusCode.NotFound);
        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/integrations", new { name }), HttpStatusCode.Conflict, "integration_exists");
    }

    [Fact]
    public async Task Settings_have_defaults_are_stored_and_validated()
    {
        const string path = "/api/settings/EnableEnhanceWebhookAuthentication";
        var initial = await Admin.GetAsync(path);
        Assert.False(initial["value"]!.GetValue<bool>());

        await GatehouseClient.Problem(await Admin.Http.PutAsJsonAsync(path, new { value = "maybe" }), HttpStatusCode.BadRequest, "validation_failed");
        await GatehouseClient.Problem(await Admin.Http.GetAsync("/api/settings/NoSuchSetting"), HttpStatusCode.NotFound);
        var updated = await Admin.PutAsync(path, new { value = "True" });
        var reread = await Admin.GetAsync(path);
        await Admin.PutAsync(path, new { value = false });

        Assert.True(updated["value"]!.GetValue<bool>());
        Assert.True(reread["value"]!.GetValue<bool>());
        Assert.False(reread["isDefault"]!.GetValue<bool>());
        Assert.Contains((await Admin.GetAsync("/api/settings")).AsArray(), s => s!["name"]!.GetValue<string>() == "EnableEnhanceWebhookAuthentication");
    }

    [Fact]
    public async Task Only_the_creator_of_a_key_can_read_its_value()
    {
        var integration = await Admin.CreateIntegrationAsync();
        var key = await Admin.CreateKeyAsync(integration);
        var otherAdminName = Unique.Name("admin2").Replace(' ', '-');
        await Admin.PostAsync("/api/users", new { username = otherAdminName, password = "second-admin-pw", role = "Administrator" });
        var otherAdmin = await GatehouseClient.LoginAsync(Factory.CreateClient(), otherAdminName, "second-admin-pw");

        var seen = await otherAdmin.GetAsync($"/api/keys/{key.Id}");
        var refused = await GatehouseClient.Problem(await otherAdmin.Http.GetAsync($"/api/keys/{key.Id}/secret"), HttpStatusCode.Forbidden);

        Assert.Equal(key.Id, seen["id"]!.GetValue<int>());
        Assert.Null(seen["headerValue"]);
        Assert.DoesNotContain(key.Value, seen.ToJsonString());
        Assert.DoesNotContain(key.Value, refused.ToJsonString());
        Assert.StartsWith("ghk_", key.Value);
    }

    [Fact]
    public async Task Key_view_has_the_request_url_and_header_key()
    {
        var integration = await Admin.CreateIntegrationAsync();
        var key = await Admin.CreateKeyAsync(integration);

        Assert.Equal("d3key", key.View["requestHeaderKey"]!.GetValue<string>());
        Assert.Equal("DataIngestion", key.View["module"]!.GetValue<string>());
        Assert.Equal("admin", key.View["createdBy"]!.GetValue<string>());
        var url = Assert.Single(key.View["requestUrls"]!.AsArray())!;
        Assert.Equal("Security Operations", url["site"]!.GetValue<string>());
        Assert.Contains((await Admin.GetAsync("/api/keys")).AsArray(), k => k!["id"]!.GetValue<int>() == key.Id);
    }

    [Fact]
    public async Task Keys_are_validated_with_every_problem_listed()
    {
        var problem = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/keys",
            new { module = "DataIngestion", method = "ApiKey", integration = "Nope", site = "Security Operations", shareTo = "AllInternalSites" }),
            HttpStatusCode.BadRequest, "validation_failed");

        Assert.Equal(4, problem["errors"]!.AsArray().Count); // name, intake, integration, site/shareTo
    }

    [Fact]
    public async Task An_analyst_cannot_create_a_key_for_a_site_they_cannot_access()
    {
        var integration = await Admin.CreateIntegrationAsync();
        var site = await Admin.CreateSiteAsync();
        var analyst = await Admin.CreateAnalystAsync(Factory, "Security Operations");

        var response = await analyst.Http.PostAsJsonAsync("/api/keys", new { name = "k", module = "DataIngestion", method = "ApiKey", site, integration, intake = "Event" });

        await GatehouseClient.Problem(response, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task OpenApi_document_and_reference_page_are_served()
    {
        var client = Factory.CreateClient();

        var document = await GatehouseClient.Json(await client.GetAsync("/openapi/v1.json"), HttpStatusCode.OK);
        var page = await client.GetAsync("/docs");

        Assert.NotNull(document["paths"]!["/api/keys"]);
        Assert.NotNull(document["paths"]!["/VSOC/api/Data/{integration}/{site}/CreateEvents"]);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("text/html", page.Content.Headers.ContentType?.ToString());
    }

    [Fact]
    public async Task Health_endpoints_report_live_and_ready()
    {
        var client = Factory.CreateClient();

        Assert.Equal("Healthy", await (await client.GetAsync("/health/live")).Content.ReadAsStringAsync());
        Assert.Equal("Healthy", await (await client.GetAsync("/health/ready")).Content.ReadAsStringAsync());
    }
}

public sealed class AdminApiTestsOnSqlite(SqliteFixture fixture) : AdminApiTests(fixture), IClassFixture<SqliteFixture>;

public sealed class AdminApiTestsOnPostgres(PostgresFixture fixture) : AdminApiTests(fixture), IClassFixture<PostgresFixture>;
