using System.Net;
using System.Net.Http.Json;
using System.Text;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Admin;

/// <summary>Admin request bodies are read strictly: every refusal names the member and what it should be.</summary>
public sealed class StrictInputTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    private Task<HttpResponseMessage> PostAsync(string path, string body) =>
        fixture.Admin.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

    // Regression (new user): a misspelt member answered 200 and changed nothing.
    [Theory]
    [InlineData("/api/users", "username")]
    [InlineData("/api/sites", "name")]
    public async Task A_name_with_a_zero_width_space_was_accepted_and_read_as_another_user_in_the_audit_log(string route, string member)
    {
        var body = new System.Text.Json.Nodes.JsonObject { [member] = "admin\u200B" + Guid.NewGuid().ToString("N")[..6] };
        if (route == "/api/users")
        {
            (body["password"], body["role"]) = ("a-long-enough-password", "Analyst");
        }
        else
        {
            body["kind"] = "Internal";
        }
        var problem = await GatehouseClient.Problem(await fixture.Admin.Http.PostAsJsonAsync(route, body), HttpStatusCode.BadRequest);
        Assert.Contains("invisible", problem["Error"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_misspelt_member_is_refused_with_the_known_ones()
    {
        var problem = await GatehouseClient.Problem(await PostAsync("/api/keys", """{"name":"x","runMitreTtpSerch":true}"""), HttpStatusCode.BadRequest, "unknown_member");

        Assert.Equal("runMitreTtpSerch", problem["member"]!.GetValue<string>());
        Assert.Contains("known members: name, module, method", problem["Error"]!.GetValue<string>());
        Assert.Contains("runMitreTtpSearch", problem["Error"]!.GetValue<string>());
    }

    // Regression (attack pass): the last of two members won, so a proxy reading the first saw another request.
    [Theory]
    [InlineData("/api/auth/token", """{"username":"nobody","username":"admin","password":"x"}""", "username")]
    [InlineData("/api/auth/token", """{"username":"nobody","Username":"admin","password":"x"}""", "Username")]
    [InlineData("/api/sites", """{"name":"Dup A","kind":"Internal","name":"Dup B"}""", "name")]
    public async Task A_member_given_twice_was_read_as_the_last_one(string path, string body, string member)
    {
        var problem = await GatehouseClient.Problem(await PostAsync(path, body), HttpStatusCode.BadRequest, "duplicate_member");

        Assert.Equal(member, problem["member"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_member_of_a_nested_object_lists_that_objects_members()
    {
        var problem = await GatehouseClient.Problem(await PostAsync("/api/integrations", """{"name":"x","eventIntake":{"mainJsonPth":"$"}}"""), HttpStatusCode.BadRequest, "unknown_member");

        Assert.Equal("eventIntake.mainJsonPth", problem["member"]!.GetValue<string>());
        Assert.Contains("known members: mainJsonPath, eventsJsonPath, fieldMappings", problem["Error"]!.GetValue<string>());
    }

    // Regression (new user): "module": "Integrations" got a bare 400 {"Error":"Bad Request"}.
    [Theory]
    [InlineData("/api/keys", """{"name":"x","module":"Integrations"}""", "module", "'module' must be one of: DataIngestion, Integration, UtilityCommand.")]
    [InlineData("/api/keys", """{"name":"x","preset":"Bogus"}""", "preset", "'preset' must be one of: StaticToken.")]
    [InlineData("/api/keys", """{"name":42}""", "name", "'name' must be text.")]
    [InlineData("/api/integrations", """{"name":"x","eventIntake":{"logSource":{"product":123}}}""", "eventIntake.logSource.product", "'eventIntake.logSource.product' must be text.")]
    public async Task A_value_of_the_wrong_kind_names_its_member_and_what_it_must_be(string path, string body, string member, string message)
    {
        var problem = await GatehouseClient.Problem(await PostAsync(path, body), HttpStatusCode.BadRequest, "invalid_value");

        Assert.Equal(member, problem["member"]!.GetValue<string>());
        Assert.Equal(message, problem["Error"]!.GetValue<string>());
        Assert.DoesNotContain("Gatehouse.", problem.ToJsonString());
    }

    [Fact]
    public async Task Malformed_json_is_answered_with_its_line_and_position()
    {
        var problem = await GatehouseClient.Problem(await PostAsync("/api/sites", "{\n  \"name\": \"x\",\n  \"kind\": }"), HttpStatusCode.BadRequest, "malformed_json");

        Assert.Contains("line 3", problem["Error"]!.GetValue<string>());
        Assert.DoesNotContain("System.", problem.ToJsonString());
    }
}
