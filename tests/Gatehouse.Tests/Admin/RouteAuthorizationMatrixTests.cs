using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Admin;

/// <summary>
/// Every route the OpenAPI document lists, called with no credentials, as an analyst and as an administrator: the
/// table below is the expected authorization, written once; a documented route missing from it (or a route in it
/// no longer documented) fails the test, so a new route cannot ship without its row. No call may answer 5xx.
/// </summary>
public abstract class RouteAuthorizationMatrixTests(GatehouseFixture fixture)
{
    public enum Access
    {
        /// <summary>No credentials needed (sign-in).</summary>
        Anyone,
        /// <summary>Any signed-in user; the handler limits data to the user's sites.</summary>
        SignedIn,
        Administrator,
        /// <summary>A webhook: authenticated by a key or token in its header, not by a session.</summary>
        Webhook,
    }

    private static readonly Dictionary<string, Access> Expected = new()
    {
        ["POST /api/auth/token"] = Access.Anyone,
        ["GET /api/auth/me"] = Access.SignedIn,
        ["POST /api/auth/logout"] = Access.SignedIn,
        ["POST /api/auth/password"] = Access.SignedIn,
        ["GET /api/sites"] = Access.SignedIn,
        ["GET /api/sites/{id}"] = Access.SignedIn,
        ["POST /api/sites"] = Access.Administrator,
        ["PATCH /api/sites/{id}"] = Access.Administrator,
        ["DELETE /api/sites/{id}"] = Access.Administrator,
        ["GET /api/users"] = Access.Administrator,
        ["POST /api/users"] = Access.Administrator,
        ["GET /api/users/{id}"] = Access.Administrator,
        ["PATCH /api/users/{id}"] = Access.Administrator,
        ["DELETE /api/users/{id}"] = Access.Administrator,
        ["POST /api/users/{id}/password"] = Access.Administrator,
        ["GET /api/settings"] = Access.SignedIn,
        ["GET /api/settings/{name}"] = Access.SignedIn,
        ["PUT /api/settings/{name}"] = Access.Administrator,
        ["GET /api/integrations"] = Access.SignedIn,
        ["POST /api/integrations"] = Access.Administrator,
        ["GET /api/integrations/{name}"] = Access.SignedIn,
        ["PUT /api/integrations/{name}"] = Access.Administrator,
        ["DELETE /api/integrations/{name}"] = Access.Administrator,
        ["POST /api/integrations/mapping-preview"] = Access.SignedIn,
        ["GET /api/integrations/{name}/connections"] = Access.SignedIn,
        ["PUT /api/integrations/{name}/connections/{site}"] = Access.Administrator,
        ["DELETE /api/integrations/{name}/connections/{site}"] = Access.Administrator,
        ["GET /api/keys"] = Access.SignedIn,
        ["POST /api/keys"] = Access.SignedIn,
        ["GET /api/keys/{id}"] = Access.SignedIn,
        ["PATCH /api/keys/{id}"] = Access.SignedIn,
        ["DELETE /api/keys/{id}"] = Access.SignedIn,
        ["POST /api/keys/{id}/regenerate"] = Access.SignedIn,
        ["GET /api/keys/{id}/secret"] = Access.SignedIn,
        ["GET /api/ingestions"] = Access.SignedIn,
        ["GET /api/ingestions/{refid}"] = Access.SignedIn,
        ["POST /api/ingestions/{refid}/retry"] = Access.SignedIn,
        ["GET /api/events"] = Access.SignedIn,
        ["GET /api/events/{id}"] = Access.SignedIn,
        ["GET /api/events/{id}/explain"] = Access.SignedIn,
        ["GET /api/incidents"] = Access.SignedIn,
        ["POST /api/incidents"] = Access.SignedIn,
        ["GET /api/incidents/vocabulary"] = Access.SignedIn,
        ["GET /api/incidents/{id}"] = Access.SignedIn,
        ["PATCH /api/incidents/{id}"] = Access.SignedIn,
        ["POST /api/incidents/{id}/close"] = Access.SignedIn,
        ["POST /api/incidents/{id}/links"] = Access.SignedIn,
        ["POST /api/incidents/{id}/unlink"] = Access.SignedIn,
        ["GET /api/incidents/{id}/history"] = Access.SignedIn,
        ["GET /api/audit"] = Access.Administrator,
        ["GET /api/commands"] = Access.SignedIn,
        ["GET /api/commands/{name}"] = Access.SignedIn,
        ["POST /api/commands"] = Access.Administrator,
        ["PUT /api/commands/{name}"] = Access.Administrator,
        ["DELETE /api/commands/{name}"] = Access.Administrator,
        ["GET /api/command-runs"] = Access.SignedIn,
        ["GET /api/automation-rules"] = Access.SignedIn,
        ["GET /api/automation-rules/{id}"] = Access.SignedIn,
        ["POST /api/automation-rules"] = Access.Administrator,
        ["PUT /api/automation-rules/{id}"] = Access.Administrator,
        ["PATCH /api/automation-rules/{id}"] = Access.Administrator,
        ["DELETE /api/automation-rules/{id}"] = Access.Administrator,
        ["POST /api/automation-rules/reorder"] = Access.Administrator,
        ["GET /api/playbooks"] = Access.SignedIn,
        ["GET /api/playbooks/{name}"] = Access.SignedIn,
        ["GET /api/playbooks/{name}/versions/{version}"] = Access.SignedIn,
        ["POST /api/playbooks"] = Access.Administrator,
        ["PUT /api/playbooks/{name}"] = Access.Administrator,
        ["DELETE /api/playbooks/{name}"] = Access.Administrator,
        ["GET /api/playbook-runs"] = Access.SignedIn,
        ["GET /api/playbook-runs/{id}"] = Access.SignedIn,
        ["POST /api/playbook-runs/{id}/cancel"] = Access.SignedIn,
        ["POST /VSOC/api/Data/{integration}/{site}/CreateEvents"] = Access.Webhook,
        ["POST /VSOC/api/Data/{integration}/{site}/CreateIncidents"] = Access.Webhook,
        ["POST /VSOC/api/Command/{command}"] = Access.Webhook,
        ["POST /VSOC/api/Integration/{integration}/{site}/{command}"] = Access.Webhook,
    };

    private static async Task<List<(string Method, string Path)>> DocumentedRoutesAsync(HttpClient http)
    {
        var document = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!;
        return document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Where(op => op.Key is "get" or "post" or "put" or "patch" or "delete").Select(op => (op.Key.ToUpperInvariant(), path.Key)))
            .ToList();
    }

    /// <summary>A path with values that name nothing, so no call changes data: the answer shows only who may call it.</summary>
    private static string Concrete(string template) => template
        .Replace("{id}", "999999").Replace("{refid}", "0000000000000000").Replace("{version}", "1")
        .Replace("{name}", "no-such-thing").Replace("{site}", "no-such-site").Replace("{integration}", "no-such-integration").Replace("{command}", "NoSuchCommand");

    private static async Task<HttpStatusCode> CallAsync(HttpClient http, string method, string template)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), Concrete(template));
        if (method is not ("GET" or "DELETE"))
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }
        using var response = await http.SendAsync(request);
        Assert.True((int)response.StatusCode < 500, $"{method} {template} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response.StatusCode;
    }

    [Fact]
    public async Task Every_documented_route_has_a_row_in_the_authorization_table()
    {
        var documented = (await DocumentedRoutesAsync(fixture.Factory.CreateClient())).Select(r => $"{r.Method} {r.Path}").ToHashSet();

        Assert.Empty(documented.Except(Expected.Keys).Order());
        Assert.Empty(Expected.Keys.Except(documented).Order());
    }

    [Fact]
    public async Task Each_route_answers_each_role_as_the_table_says()
    {
        var (_, analyst) = await fixture.Admin.CreateUserAsync(fixture.Factory, "Analyst", GatehouseClient.DefaultSite);
        var (_, administrator) = await fixture.Admin.CreateUserAsync(fixture.Factory, "Administrator");
        var anonymous = fixture.Factory.CreateClient();
        // Signing out ends the caller's session: it goes last.
        var routes = (await DocumentedRoutesAsync(anonymous)).Where(r => Expected.ContainsKey($"{r.Method} {r.Path}"))
            .OrderBy(r => r.Path == "/api/auth/logout").ToList();
        var wrong = new List<string>();
        foreach (var (method, path) in routes)
        {
            var access = Expected[$"{method} {path}"];
            var none = await CallAsync(anonymous, method, path);
            var asAnalyst = await CallAsync(analyst.Http, method, path);
            var asAdministrator = await CallAsync(administrator.Http, method, path);
            var fine = access switch
            {
                Access.Anyone => none is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) || path == "/api/auth/token",
                Access.Webhook => none is HttpStatusCode.Unauthorized or HttpStatusCode.NotFound,
                _ => none == HttpStatusCode.Unauthorized,
            };
            fine &= access switch
            {
                Access.Administrator => asAnalyst == HttpStatusCode.Forbidden && asAdministrator is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden),
                Access.SignedIn => asAnalyst is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                    && asAdministrator is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden),
                _ => true,
            };
            if (!fine)
            {
                wrong.Add($"{method} {path} ({access}): anonymous {(int)none}, analyst {(int)asAnalyst}, administrator {(int)asAdministrator}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}

public sealed class RouteAuthorizationMatrixTestsOnSqlite(SqliteFixture fixture) : RouteAuthorizationMatrixTests(fixture), IClassFixture<SqliteFixture>;

public sealed class RouteAuthorizationMatrixTestsOnPostgres(PostgresFixture fixture) : RouteAuthorizationMatrixTests(fixture), IClassFixture<PostgresFixture>;
