using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Admin;

/// <summary>
/// Every create and update route of the admin API, as the OpenAPI document lists them, fed what a careless or
/// hostile client sends: broken JSON, a body that is not an object, an unknown member, each member of the request
/// schema with a value of the wrong kind, huge, holding NUL or nested too deep. Each answer is a 4xx problem that
/// names the member it is about (when there is one) — never a 5xx — and the resources the routes point at exist,
/// so the body is really read.
/// </summary>
public abstract class AdminApiFuzzTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;

    /// <summary>Real resources for the routes' path parameters, made once per test.</summary>
    private async Task<Func<string, string>> ResourcesAsync()
    {
        var site = await Admin.PostAsync("/api/sites", new { name = Unique.Name("Fuzz site"), kind = "Internal" });
        var (username, _) = await Admin.CreateUserAsync(fixture.Factory, "Analyst", GatehouseClient.DefaultSite);
        var userId = (await Admin.GetAsync("/api/users")).AsArray().Single(u => u!["username"]!.GetValue<string>() == username)!["id"]!.GetValue<int>();
        var integration = await Admin.CreateIntegrationAsync();
        var (keyId, _, _) = await Admin.CreateKeyAsync(integration);
        var command = Unique.Name("Fuzz command");
        await Admin.PostAsync("/api/commands", new { name = command, parameters = Array.Empty<object>(), script = "function main(params, context) { return {}; }" });
        var rule = await Admin.PostAsync("/api/automation-rules", new
        {
            name = Unique.Name("Fuzz rule"), type = "Dismissal", site = GatehouseClient.DefaultSite,
            condition = new { field = "Title", @operator = "equals", value = "never" }, dismissal = new { reason = "x" },
        });
        var playbook = Unique.Name("Fuzz playbook");
        await Admin.PostAsync("/api/playbooks", new { name = playbook, kind = "Event", tasks = new[] { new { id = "x", command = "ExtractArtifacts", @params = new Dictionary<string, object> { ["Text"] = "x" } } } });
        var incident = await Admin.PostAsync("/api/incidents", new { site = GatehouseClient.DefaultSite, incidentType = "Fuzz", title = "Fuzz", severity = "Low" });
        return path =>
        {
            var id = path switch
            {
                _ when path.StartsWith("/api/sites/", StringComparison.Ordinal) => site["id"]!.ToString(),
                _ when path.StartsWith("/api/users/", StringComparison.Ordinal) => userId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ when path.StartsWith("/api/keys/", StringComparison.Ordinal) => keyId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ when path.StartsWith("/api/automation-rules/", StringComparison.Ordinal) => rule["id"]!.ToString(),
                _ when path.StartsWith("/api/incidents/", StringComparison.Ordinal) => incident["id"]!.ToString(),
                _ => "999999",
            };
            var name = path switch
            {
                _ when path.StartsWith("/api/integrations/", StringComparison.Ordinal) => integration,
                _ when path.StartsWith("/api/commands/", StringComparison.Ordinal) => command,
                _ when path.StartsWith("/api/playbooks/", StringComparison.Ordinal) => playbook,
                _ when path.StartsWith("/api/settings/", StringComparison.Ordinal) => "EnableEnhanceWebhookAuthentication",
                _ => "no-such-thing",
            };
            return path.Replace("{id}", id).Replace("{name}", Uri.EscapeDataString(name)).Replace("{site}", Uri.EscapeDataString(GatehouseClient.DefaultSite));
        };
    }

    private sealed record BodyRoute(string Method, string Path, bool BodyRequired, IReadOnlyList<(string Name, string Kind)> Members);

    /// <summary>The admin routes that take a body, with the first-level members of their request schema and each one's kind.</summary>
    private async Task<List<BodyRoute>> BodyRoutesAsync()
    {
        var document = JsonNode.Parse(await Admin.Http.GetStringAsync("/openapi/v1.json"))!;
        var schemas = document["components"]?["schemas"]?.AsObject();
        var routes = new List<BodyRoute>();
        foreach (var (path, operations) in document["paths"]!.AsObject())
        {
            if (!path.StartsWith("/api/", StringComparison.Ordinal) || path is "/api/auth/token" or "/api/auth/logout")
            {
                continue;
            }
            foreach (var (method, operation) in operations!.AsObject())
            {
                if (operation?["requestBody"]?["content"]?["application/json"]?["schema"] is not { } schema)
                {
                    continue;
                }
                var properties = Resolve(schema, schemas)?["properties"]?.AsObject();
                var members = properties?.Select(p => (p.Key, KindOf(p.Value, schemas))).ToList() ?? [];
                var required = operation["requestBody"]?["required"]?.GetValue<bool>() ?? false;
                routes.Add(new BodyRoute(method.ToUpperInvariant(), path, required, members));
            }
        }
        return routes;
    }

    private static JsonNode? Resolve(JsonNode? schema, JsonObject? schemas)
    {
        for (var i = 0; i < 5 && schema is not null; i++)
        {
            if (schema["$ref"]?.GetValue<string>() is { } reference)
            {
                schema = schemas?[reference.Split('/')[^1]];
            }
            else if ((schema["oneOf"] ?? schema["anyOf"])?.AsArray().FirstOrDefault(s => s?["type"]?.ToString() != "null") is { } choice)
            {
                schema = choice;
            }
            else
            {
                return schema;
            }
        }
        return schema;
    }

    private static string KindOf(JsonNode? schema, JsonObject? schemas)
    {
        var resolved = Resolve(schema, schemas);
        var type = resolved?["type"] switch
        {
            JsonArray types => types.Select(t => t!.GetValue<string>()).FirstOrDefault(t => t != "null"),
            JsonValue value => value.GetValue<string>(),
            _ => null,
        };
        return resolved?["enum"] is not null ? "enum" : type ?? "any";
    }

    /// <summary>A value that is not of the member's kind.</summary>
    private static string WrongValue(string kind) => kind switch
    {
        "string" or "enum" => "12345",
        "integer" or "number" => "\"not a number\"",
        "boolean" => "\"yes\"",
        "array" => "\"not a list\"",
        "object" => "[1, 2]",
        _ => "",
    };

    private static async Task<(int Status, string Body)> SendAsync(HttpClient http, string method, string path, string json)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Every_create_and_update_route_refuses_bad_bodies_with_a_4xx_that_names_the_member()
    {
        var concrete = await ResourcesAsync();
        var routes = await BodyRoutesAsync();
        Assert.True(routes.Count >= 25, $"only {routes.Count} body routes documented");
        var wrong = new List<string>();
        // A huge value may be accepted where the member has no reason for a limit, but is never echoed back whole.
        void Expect(BodyRoute route, string variant, (int Status, string Body) answer, string? member = null, bool mustRefuse = true)
        {
            var named = member is null || answer.Body.Contains(member, StringComparison.OrdinalIgnoreCase);
            var refused = answer.Status is >= 400 and < 500;
            if (answer.Status >= 500 || (mustRefuse && (!refused || !named)) || (refused && answer.Body.Length > 20_000))
            {
                wrong.Add($"{route.Method} {route.Path} [{variant}]: {answer.Status} {answer.Body[..Math.Min(300, answer.Body.Length)]}");
            }
        }
        foreach (var route in routes)
        {
            var path = concrete(route.Path);
            Expect(route, "malformed", await SendAsync(Admin.Http, route.Method, path, """{"name": """));
            foreach (var notObject in new[] { "[1]", "\"text\"", "42" })
            {
                Expect(route, $"body {notObject}", await SendAsync(Admin.Http, route.Method, path, notObject));
            }
            // JSON null is no body: refused where the document says a body is required.
            Expect(route, "body null", await SendAsync(Admin.Http, route.Method, path, "null"), mustRefuse: route.BodyRequired);
            Expect(route, "unknown member", await SendAsync(Admin.Http, route.Method, path, """{"zzNotAMember": 1}"""), "zzNotAMember");
            var deep = string.Concat(Enumerable.Repeat("[", 300)) + string.Concat(Enumerable.Repeat("]", 300));
            Expect(route, "deep", await SendAsync(Admin.Http, route.Method, path, $$"""{"{{route.Members.FirstOrDefault().Name ?? "x"}}": {{deep}}}"""));
            foreach (var (name, kind) in route.Members)
            {
                if (WrongValue(kind) is { Length: > 0 } value)
                {
                    Expect(route, $"{name} of the wrong kind", await SendAsync(Admin.Http, route.Method, path, $$"""{"{{name}}": {{value}}}"""), name);
                }
                if (kind is "string" or "any")
                {
                    var huge = new string('x', 200_000);
                    Expect(route, $"{name} huge", await SendAsync(Admin.Http, route.Method, path, $$"""{"{{name}}": "{{huge}}"}"""), mustRefuse: false);
                    Expect(route, $"{name} with NUL", await SendAsync(Admin.Http, route.Method, path, $$"""{"{{name}}": "a\u0000b"}"""), mustRefuse: false);
                }
            }
        }
        Assert.True(wrong.Count == 0, $"{wrong.Count} answers were wrong:\n{string.Join("\n", wrong)}");
    }

    [Fact]
    public async Task A_bad_query_value_is_a_400_that_names_the_parameter_and_what_it_must_be()
    {
        var page = await GatehouseClient.Problem(await Admin.Http.GetAsync("/api/events?page=abc"), HttpStatusCode.BadRequest, "invalid_value");
        Assert.Equal("page", page["member"]!.GetValue<string>());
        Assert.Contains("whole number", page["Error"]!.GetValue<string>());

        var role = await GatehouseClient.Problem(await Admin.Http.GetAsync("/api/users?role=Superuser"), HttpStatusCode.BadRequest, "invalid_value");
        Assert.Contains("Administrator, Analyst", role["Error"]!.GetValue<string>());
    }
}

public sealed class AdminApiFuzzTestsOnSqlite(SqliteFixture fixture) : AdminApiFuzzTests(fixture), IClassFixture<SqliteFixture>;

public sealed class AdminApiFuzzTestsOnPostgres(PostgresFixture fixture) : AdminApiFuzzTests(fixture), IClassFixture<PostgresFixture>;
