using System.Net;
using System.Net.Http.Json;
using System.Text;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Keys;

/// <summary>Header-less senders: a query-token key's value in the URL, accepted only there, and never written to a log.</summary>
public abstract class QueryTokenTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;

    [Fact]
    public async Task A_query_token_in_the_URL_is_taken_marked_as_weaker_and_never_logged_even_at_trace_level()
    {
        var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.title" } } });
        var view = await Admin.PostAsync("/api/keys", new { name = Unique.Name("Header-less"), module = "DataIngestion", site = GatehouseClient.DefaultSite, integration, intake = "Event", method = "QueryToken" });
        Assert.Equal("?token= (query string)", view["requestHeaderKey"]!.GetValue<string>());
        Assert.Contains(view["warnings"]!.AsArray(), w => w!.GetValue<string>().Contains("weaker", StringComparison.Ordinal));
        var token = (await Admin.GetAsync($"/api/keys/{view["id"]}/secret"))["headerValue"]!.GetValue<string>();
        Assert.StartsWith("ghq_", token);

        var sender = fixture.Factory.CreateClient();
        var url = $"/VSOC/api/Data/{Uri.EscapeDataString(integration)}/{Uri.EscapeDataString(GatehouseClient.DefaultSite)}/CreateEvents";
        var body = new StringContent("""{"title": "From a sender that sets no header"}""", Encoding.UTF8, "application/json");
        var result = await GatehouseClient.Json(await sender.PostAsync($"{url}?wait=10&token={Uri.EscapeDataString(token)}", body), HttpStatusCode.OK);
        Assert.Single(result["events"]!.AsArray());

        // The value is a URL credential only: in the header it is unknown, and an API key in the URL is unknown too.
        await GatehouseClient.Problem(await Admin.SendAsync(integration, GatehouseClient.DefaultSite, new { title = "x" }, token), HttpStatusCode.Unauthorized);
        var apiKey = await Admin.IntakeKeyAsync(integration);
        await GatehouseClient.Problem(await sender.PostAsync($"{url}?token={Uri.EscapeDataString(apiKey)}", new StringContent("{}", Encoding.UTF8, "application/json")), HttpStatusCode.Unauthorized);

        Assert.DoesNotContain(fixture.Factory.Logs, line => line.Contains(token, StringComparison.Ordinal) || line.Contains(Uri.EscapeDataString(token), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_query_token_is_for_intake_not_for_remote_commands()
    {
        var problem = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/keys", new
        {
            name = Unique.Name("Query command"), module = "UtilityCommand", command = "ExtractArtifacts", method = "QueryToken",
        }), HttpStatusCode.BadRequest);
        Assert.Contains("intake senders that can set no header", problem["Error"]!.GetValue<string>());
    }
}

public sealed class QueryTokenTestsOnSqlite(SqliteFixture fixture) : QueryTokenTests(fixture), IClassFixture<SqliteFixture>;

public sealed class QueryTokenTestsOnPostgres(PostgresFixture fixture) : QueryTokenTests(fixture), IClassFixture<PostgresFixture>;
