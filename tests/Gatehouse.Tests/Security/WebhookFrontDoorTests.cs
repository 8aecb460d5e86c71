using System.Net;
using System.Text;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Security;

/// <summary>Intake and both command routes share one front door: the same fault gets the same status, code and message on each.</summary>
public abstract class WebhookFrontDoorTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;
    private const string Site = GatehouseClient.DefaultSite;

    private static readonly object[] VendorCommands =
    [
        new { name = "Get Alert", parameters = new object[] { new { name = "Alert ID", type = "text", required = true } }, request = new { method = "GET", path = "/alerts/{{Alert ID}}" } },
    ];

    private async Task<List<(string Route, string Path, string Key)>> RoutesAsync()
    {
        var integration = await Admin.CreateIntegrationAsync(name: Unique.Name("Front door"));
        await Admin.PutAsync($"/api/integrations/{Uri.EscapeDataString(integration)}", new { commands = VendorCommands });
        var intakeKey = await Admin.IntakeKeyAsync(integration);
        var utility = await Admin.PostAsync("/api/keys", new { name = Unique.Name("Utility"), module = "UtilityCommand", method = "ApiKey", command = "ExtractArtifacts" });
        var vendor = await Admin.PostAsync("/api/keys", new { name = Unique.Name("Vendor"), module = "Integration", site = Site, integration, command = "Get Alert" });
        async Task<string> SecretAsync(System.Text.Json.Nodes.JsonNode view) => (await Admin.GetAsync($"/api/keys/{view["id"]}/secret"))["headerValue"]!.GetValue<string>();
        var (i, s) = (Uri.EscapeDataString(integration), Uri.EscapeDataString(Site));
        return
        [
            ("intake", $"/VSOC/api/Data/{i}/{s}/CreateEvents", intakeKey),
            ("utility command", "/VSOC/api/Command/ExtractArtifacts", await SecretAsync(utility)),
            ("integration command", $"/VSOC/api/Integration/{i}/{s}/Get%20Alert", await SecretAsync(vendor)),
        ];
    }

    public static TheoryData<string, byte[], string, HttpStatusCode, string> Faults => new()
    {
        { "no key", """{"Site":"x"}"""u8.ToArray(), "application/json", HttpStatusCode.Unauthorized, "unauthorized" },
        { "unknown key", """{"Site":"x"}"""u8.ToArray(), "application/json", HttpStatusCode.Unauthorized, "unauthorized" },
        { "not JSON", "Site=x"u8.ToArray(), "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType, "unsupported_media_type" },
        { "empty", [], "application/json", HttpStatusCode.BadRequest, "empty_body" },
        { "malformed", """{"Site":"""u8.ToArray(), "application/json", HttpStatusCode.BadRequest, "malformed_json" },
        { "duplicate member", """{"Site":"a","Site":"b"}"""u8.ToArray(), "application/json", HttpStatusCode.BadRequest, "duplicate_property" },
        { "too deep", Encoding.UTF8.GetBytes(new string('[', 100) + new string(']', 100)), "application/json", HttpStatusCode.BadRequest, "json_too_deep" },
        { "bad UTF-8", [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d], "application/json", HttpStatusCode.BadRequest, "invalid_utf8" },
        { "too large", Encoding.UTF8.GetBytes("[" + new string(' ', 10 * 1024 * 1024) + "]"), "application/json", HttpStatusCode.RequestEntityTooLarge, "body_too_large" },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Every_webhook_route_answers_the_same_fault_with_the_same_status_code_and_message(string fault, byte[] body, string contentType, HttpStatusCode status, string code)
    {
        var messages = new Dictionary<string, string>();
        foreach (var (route, path, key) in await RoutesAsync())
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
            if (fault != "no key")
            {
                request.Headers.Add("d3key", fault == "unknown key" ? key + "x" : key);
            }
            var problem = await GatehouseClient.Problem(await Admin.Http.SendAsync(request), status, code);
            messages[route] = problem["Error"]!.GetValue<string>();
        }
        Assert.Single(messages.Values.Distinct());
    }

    [Fact]
    public async Task A_key_of_one_route_is_refused_on_the_others_with_the_same_401()
    {
        var routes = await RoutesAsync();
        foreach (var (route, path, _) in routes)
        {
            foreach (var (other, _, key) in routes.Where(r => r.Route != route))
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent($$"""{"Site":"{{Site}}"}""", Encoding.UTF8, "application/json") };
                request.Headers.Add("d3key", key);
                await GatehouseClient.Problem(await Admin.Http.SendAsync(request), HttpStatusCode.Unauthorized, "unauthorized");
            }
        }
    }
}

public sealed class WebhookFrontDoorTestsOnSqlite(SqliteFixture fixture) : WebhookFrontDoorTests(fixture), IClassFixture<SqliteFixture>;
