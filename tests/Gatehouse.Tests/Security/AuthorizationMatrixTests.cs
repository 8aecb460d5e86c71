using System.Net;
using System.Text;
using Gatehouse.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Tests.Security;

/// <summary>
/// Every admin endpoint and both webhook families, for nobody, an analyst and an administrator.
/// The table is the authorization rule as written down; the test fails when an endpoint is added
/// without an entry, so no route can be left open by omission.
/// </summary>
public abstract class AuthorizationMatrixTests(GatehouseFixture fixture)
{
    private enum Access { Anonymous, AnyUser, Administrator, Webhook }

    private static readonly Dictionary<string, Access> Table = new(StringComparer.Ordinal)
    {
        ["POST /VSOC/api/Command/{command}"] = Access.Webhook,
        ["POST /VSOC/api/Data/{integration}/{site}/CreateEvents"] = Access.Webhook,
        ["POST /VSOC/api/Data/{integration}/{site}/CreateIncidents"] = Access.Webhook,
        ["POST /VSOC/api/Integration/{integration}/{site}/{command}"] = Access.Webhook,
        ["GET /api/audit"] = Access.Administrator,
        ["POST /api/auth/logout"] = Access.AnyUser,
        ["GET /api/auth/me"] = Access.AnyUser,
        ["POST /api/auth/token"] = Access.Anonymous,
        ["GET /api/automation-rules/"] = Access.AnyUser,
        ["POST /api/automation-rules/"] = Access.Administrator,
        ["DELETE /api/automation-rules/{id:int}"] = Access.Administrator,
        ["GET /api/command-runs"] = Access.AnyUser,
        ["GET /api/commands/"] = Access.AnyUser,
        ["POST /api/commands/"] = Access.Administrator,
        ["GET /api/commands/{name}"] = Access.AnyUser,
        ["PUT /api/commands/{name}"] = Access.Administrator,
        ["GET /api/events/"] = Access.AnyUser,
        ["GET /api/events/{id:long}"] = Access.AnyUser,
        ["GET /api/incidents/"] = Access.AnyUser,
        ["GET /api/incidents/{id:long}"] = Access.AnyUser,
        ["POST /api/incidents/"] = Access.AnyUser,
        ["PATCH /api/incidents/{id:long}"] = Access.AnyUser,
        ["POST /api/incidents/{id:long}/close"] = Access.AnyUser,
        ["POST /api/incidents/{id:long}/links"] = Access.AnyUser,
        ["POST /api/incidents/{id:long}/unlink"] = Access.AnyUser,
        ["GET /api/incidents/{id:long}/history"] = Access.AnyUser,
        ["GET /api/incidents/vocabulary"] = Access.AnyUser,
        ["GET /api/events/{id:long}/explain"] = Access.AnyUser,
        ["PATCH /api/users/{id:int}"] = Access.Administrator,
        ["POST /api/users/{id:int}/password"] = Access.Administrator,
        ["POST /api/auth/password"] = Access.AnyUser,
        ["GET /api/ingestions"] = Access.AnyUser,
        ["GET /api/ingestions/{refid}"] = Access.AnyUser,
        ["POST /api/ingestions/{refid}/retry"] = Access.AnyUser,
        ["POST /api/ingestions/replay/"] = Access.Administrator,
        ["GET /api/ingestions/replay/jobs"] = Access.Administrator,
        ["GET /api/ingestions/replay/jobs/{id}"] = Access.Administrator,
        ["POST /api/ingestions/replay/jobs/{id}/cancel"] = Access.Administrator,
        ["GET /api/integrations/"] = Access.AnyUser,
        ["POST /api/integrations/"] = Access.Administrator,
        ["POST /api/integrations/commands/validate"] = Access.Administrator,
        ["POST /api/integrations/mapping-preview"] = Access.AnyUser,
        ["GET /api/integrations/{name}"] = Access.AnyUser,
        ["PUT /api/integrations/{name}"] = Access.Administrator,
        ["GET /api/integrations/{name}/connections/"] = Access.AnyUser,
        ["PUT /api/integrations/{name}/connections/{site}"] = Access.Administrator,
        ["GET /api/keys/"] = Access.AnyUser,
        ["POST /api/keys/"] = Access.AnyUser,
        ["DELETE /api/keys/{id:int}"] = Access.AnyUser,
        ["GET /api/keys/{id:int}"] = Access.AnyUser,
        ["PATCH /api/keys/{id:int}"] = Access.AnyUser,
        ["POST /api/keys/{id:int}/regenerate"] = Access.AnyUser,
        ["GET /api/keys/{id:int}/secret"] = Access.AnyUser,
        ["GET /api/playbook-runs/"] = Access.AnyUser,
        ["GET /api/playbook-runs/{id}"] = Access.AnyUser,
        ["POST /api/playbook-runs/{id}/cancel"] = Access.AnyUser,
        ["GET /api/playbooks/"] = Access.AnyUser,
        ["POST /api/playbooks/"] = Access.Administrator,
        ["POST /api/playbooks/validate"] = Access.Administrator,
        ["DELETE /api/playbooks/{name}"] = Access.Administrator,
        ["GET /api/playbooks/{name}"] = Access.AnyUser,
        ["PUT /api/playbooks/{name}"] = Access.Administrator,
        ["GET /api/playbooks/{name}/versions/{version:int}"] = Access.AnyUser,
        ["GET /api/settings/"] = Access.AnyUser,
        ["GET /api/settings/{name}"] = Access.AnyUser,
        ["PUT /api/settings/{name}"] = Access.Administrator,
        ["GET /api/sites/"] = Access.AnyUser,
        ["POST /api/sites/"] = Access.Administrator,
        ["GET /api/users/"] = Access.Administrator,
        ["POST /api/users/"] = Access.Administrator,
        ["GET /api/users/{id:int}"] = Access.Administrator,
        ["DELETE /api/users/{id:int}"] = Access.Administrator,
        ["GET /api/sites/{id:int}"] = Access.AnyUser,
        ["PATCH /api/sites/{id:int}"] = Access.Administrator,
        ["DELETE /api/sites/{id:int}"] = Access.Administrator,
        ["DELETE /api/integrations/{name}"] = Access.Administrator,
        ["DELETE /api/integrations/{name}/connections/{site}"] = Access.Administrator,
        ["DELETE /api/commands/{name}"] = Access.Administrator,
        ["GET /api/automation-rules/{id:int}"] = Access.AnyUser,
        ["PUT /api/automation-rules/{id:int}"] = Access.Administrator,
        ["PATCH /api/automation-rules/{id:int}"] = Access.Administrator,
        ["POST /api/automation-rules/reorder"] = Access.Administrator,
        ["POST /api/automation-rules/test"] = Access.Administrator,
        ["POST /api/commands/try"] = Access.Administrator,
        ["GET /api/statistics/"] = Access.AnyUser,
        ["GET /api/statistics/attack-matrix"] = Access.AnyUser,
        ["POST /api/events/{id:long}/dismiss"] = Access.AnyUser,
        ["POST /api/events/dismiss"] = Access.AnyUser,
        ["POST /api/events/{id:long}/reopen"] = Access.AnyUser,
        ["POST /api/events/{id:long}/link"] = Access.AnyUser,
        ["POST /api/events/{id:long}/unlink"] = Access.AnyUser,
    };

    private List<(string Method, string Pattern)> MappedEndpoints() =>
        fixture.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => (m, "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Where(e => e.Item2.StartsWith("/api", StringComparison.Ordinal) || e.Item2.StartsWith("/VSOC", StringComparison.Ordinal))
            .Distinct().OrderBy(e => e.Item2).ThenBy(e => e.m).ToList();

    [Fact]
    public void Every_endpoint_has_an_entry_in_the_authorization_table()
    {
        var mapped = MappedEndpoints().Select(e => $"{e.Method} {e.Pattern}").ToList();
        var missing = mapped.Where(e => !Table.ContainsKey(e)).ToList();
        var stale = Table.Keys.Where(k => !mapped.Contains(k)).ToList();
        Assert.True(missing.Count == 0 && stale.Count == 0, $"missing:\n{string.Join("\n", missing)}\nstale:\n{string.Join("\n", stale)}");
    }

    public static TheoryData<string> Endpoints() => [.. Table.Keys];

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Each_endpoint_refuses_whom_the_table_says_and_admits_the_rest(string endpoint)
    {
        var access = Table[endpoint];
        var (method, pattern) = (endpoint.Split(' ')[0], endpoint.Split(' ')[1]);
        var path = System.Text.RegularExpressions.Regex.Replace(pattern, @"\{(\w+)(:int|:long)?\}", m => m.Groups[2].Success ? "999999" : "nope");
        var (_, analyst) = await fixture.Admin.CreateUserAsync(fixture.Factory, "Analyst", GatehouseClient.DefaultSite);
        var (_, admin) = await fixture.Admin.CreateUserAsync(fixture.Factory, "Administrator");

        var nobody = await SendAsync(fixture.Factory.CreateClient(), method, path);
        var asAnalyst = await SendAsync(analyst.Http, method, path);
        var asAdmin = await SendAsync(admin.Http, method, path);

        var expectedForNobody = access is Access.Anonymous ? HttpStatusCode.BadRequest : HttpStatusCode.Unauthorized;
        Assert.True(nobody == expectedForNobody, $"{endpoint} without credentials: {(int)nobody}");
        Assert.True(access is Access.Administrator ? asAnalyst == HttpStatusCode.Forbidden : asAnalyst is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
            || access is Access.Webhook or Access.Anonymous, $"{endpoint} as an analyst: {(int)asAnalyst}");
        Assert.True(asAdmin is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized) || access is Access.Webhook or Access.Anonymous,
            $"{endpoint} as an administrator: {(int)asAdmin}");
        // Webhooks authenticate by key only: a signed-in user's bearer token is no credential there.
        if (access is Access.Webhook)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, asAdmin);
        }
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }
        var response = await client.SendAsync(request);
        Assert.True((int)response.StatusCode < 500, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response.StatusCode;
    }
}

public sealed class AuthorizationMatrixTestsOnSqlite(SqliteFixture fixture) : AuthorizationMatrixTests(fixture), IClassFixture<SqliteFixture>;
