using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Admin;

/// <summary>What a client generator reads from /openapi/v1.json: how to authenticate each operation and what a refusal looks like.</summary>
public sealed class OpenApiDocumentTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    private async Task<JsonNode> DocumentAsync() => JsonNode.Parse(await fixture.Factory.CreateClient().GetStringAsync("/openapi/v1.json"))!;

    private static IEnumerable<(string Path, string Method, JsonNode Operation)> Operations(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => (p.Key, o.Key, o.Value!)));

    [Fact]
    public async Task The_bearer_d3key_and_d3jwt_schemes_are_declared_and_each_operation_names_the_ones_it_takes()
    {
        var document = await DocumentAsync();
        var schemes = document["components"]!["securitySchemes"]!;
        Assert.Equal("bearer", schemes["bearer"]!["scheme"]!.GetValue<string>());
        Assert.Equal("d3key", schemes["d3key"]!["name"]!.GetValue<string>());
        Assert.Equal("d3jwt", schemes["d3jwt"]!["name"]!.GetValue<string>());

        foreach (var (path, method, operation) in Operations(document))
        {
            var names = operation["security"]?.AsArray().SelectMany(r => r!.AsObject().Select(s => s.Key)).ToList() ?? [];
            var expected = path.StartsWith("/VSOC/", StringComparison.Ordinal) ? new[] { "d3key", "d3jwt" }
                : path == "/api/auth/token" ? [] : ["bearer"];
            Assert.True(expected.SequenceEqual(names), $"{method} {path}: {string.Join(", ", names)}");
        }
    }

    [Fact]
    public async Task Every_operation_has_a_summary_and_its_refusals_use_the_problem_schema()
    {
        var document = await DocumentAsync();
        Assert.Contains("code", document["components"]!["schemas"]!["Problem"]!["required"]!.AsArray().Select(r => r!.GetValue<string>()));

        foreach (var (path, method, operation) in Operations(document))
        {
            Assert.False(string.IsNullOrWhiteSpace(operation["summary"]?.GetValue<string>()), $"{method} {path} has no summary");
            foreach (var (status, response) in operation["responses"]!.AsObject().Where(r => r.Key.StartsWith('4')))
            {
                Assert.True(response!["content"]?["application/problem+json"]?["schema"]?["$ref"]?.GetValue<string>() == "#/components/schemas/Problem",
                    $"{method} {path} {status} does not use the Problem schema");
            }
            if (operation["security"] is { } security && security.AsArray().Count > 0)
            {
                Assert.True(operation["responses"]!["401"] is not null, $"{method} {path} documents no 401");
            }
        }
    }

    [Fact]
    public async Task Webhook_intake_is_documented_with_its_body_the_202_refid_and_the_limits_with_retry_after()
    {
        var document = await DocumentAsync();
        var intake = document["paths"]!["/VSOC/api/Data/{integration}/{site}/CreateEvents"]!["post"]!;
        var answer = intake["responses"]!["202"]!["content"]!["application/json"]!["schema"]!;
        if (answer["$ref"]?.GetValue<string>() is { } reference)
        {
            answer = document["components"]!["schemas"]![reference.Split('/')[^1]]!;
        }

        Assert.NotNull(intake["requestBody"]!["content"]!["application/json"]!["example"]);
        Assert.Contains("refid", answer["required"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.NotNull(intake["responses"]!["503"]!["headers"]!["Retry-After"]);
        Assert.Contains(intake["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "Idempotency-Key");
    }

    [Fact]
    public async Task Nullable_members_are_optional_and_members_always_answered_are_required()
    {
        var schemas = (await DocumentAsync())["components"]!["schemas"]!;

        Assert.Null(schemas["SitePatch"]!["required"]);
        Assert.Equal(["id", "name", "kind", "createdAt"], schemas["SiteView"]!["required"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.DoesNotContain("assignedUser", schemas["KeyRequest"]!["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? []);
    }

    /// <summary>
    /// Required in the schema exactly when the handler insists: an empty body to each create route is refused naming
    /// every member the schema requires, and no member it calls required is missing from the schema.
    /// </summary>
    [Theory]
    [InlineData("/api/sites", "SiteRequest")]
    [InlineData("/api/users", "UserRequest")]
    [InlineData("/api/integrations", "IntegrationRequest")]
    [InlineData("/api/commands", "CommandRequest")]
    [InlineData("/api/automation-rules", "RuleRequest")]
    [InlineData("/api/automation-rules/reorder", "RuleReorder")]
    [InlineData("/api/events/dismiss", "BulkDismissRequest")]
    [InlineData("/api/integrations/mapping-preview", "MappingPreviewRequest")]
    [InlineData("/api/auth/token", "TokenRequest")]
    public async Task Members_the_handler_insists_on_were_shown_optional(string route, string schema)
    {
        var required = ((await DocumentAsync())["components"]!["schemas"]![schema]!["required"]?.AsArray() ?? [])
            .Select(r => r!.GetValue<string>()).Order().ToList();
        var refused = await GatehouseClient.Problem(await fixture.Admin.Http.PostAsync(route, System.Net.Http.Json.JsonContent.Create(new { })), System.Net.HttpStatusCode.BadRequest);
        var named = (refused["errors"]?.AsArray().Select(e => e!["member"]?.GetValue<string>()) ?? [refused["member"]?.GetValue<string>()])
            .Where(m => m is not null).Select(m => m!).Distinct().Order().ToList();

        Assert.NotEmpty(required);
        Assert.Equal(required, named);
    }

    [Fact]
    public async Task The_reference_page_loads_nothing_from_outside_the_server()
    {
        var page = await fixture.Factory.CreateClient().GetStringAsync("/docs");

        Assert.DoesNotContain("cdn.jsdelivr", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", page.Replace("https://tools.ietf.org", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
    }
}
