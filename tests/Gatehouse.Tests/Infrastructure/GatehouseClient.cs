using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gatehouse.Tests.Infrastructure;

/// <summary>An HTTP client for the admin API and the webhooks, speaking JSON.</summary>
public sealed class GatehouseClient(HttpClient http)
{
    public HttpClient Http { get; } = http;

    public const string DefaultSite = "Security Operations";

    public static async Task<GatehouseClient> LoginAsync(HttpClient http, string username, string password)
    {
        var response = await http.PostAsJsonAsync("/api/auth/token", new { username, password });
        var body = await Json(response, HttpStatusCode.OK);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body["token"]!.GetValue<string>());
        return new GatehouseClient(http);
    }

    public async Task<JsonNode> GetAsync(string path, HttpStatusCode expected = HttpStatusCode.OK) =>
        await Json(await Http.GetAsync(path), expected);

    public async Task<JsonNode> PostAsync(string path, object body, HttpStatusCode expected = HttpStatusCode.Created) =>
        await Json(await Http.PostAsJsonAsync(path, body), expected);

    public async Task<JsonNode> PutAsync(string path, object body, HttpStatusCode expected = HttpStatusCode.OK) =>
        await Json(await Http.PutAsJsonAsync(path, body), expected);

    public async Task<string> CreateSiteAsync(string kind = "Internal", string? name = null)
    {
        name ??= Unique.Name("Site");
        await PostAsync("/api/sites", new { name, kind });
        return name;
    }

    public async Task<string> CreateIntegrationAsync(object? eventIntake = null, object? incidentIntake = null, string? name = null)
    {
        name ??= Unique.Name("Integration");
        await PostAsync("/api/integrations", new { name, eventIntake, incidentIntake });
        return name;
    }

    /// <summary>Creates an API key and reads its value back as its creator.</summary>
    public async Task<(int Id, string Value, JsonNode View)> CreateKeyAsync(
        string integration, string? site = DefaultSite, string intake = "Event", string? shareTo = null, bool enabled = true, string module = "DataIngestion")
    {
        var view = await PostAsync("/api/keys", new
        {
            name = Unique.Name("Key"),
            module,
            method = "ApiKey",
            site = shareTo is null ? site : null,
            shareTo,
            integration,
            intake,
            enabled,
        });
        var id = view["id"]!.GetValue<int>();
        var secret = await GetAsync($"/api/keys/{id}/secret");
        return (id, secret["headerValue"]!.GetValue<string>(), view);
    }

    public async Task<GatehouseClient> CreateAnalystAsync(GatehouseFactory factory, params string[] sites) =>
        (await CreateUserAsync(factory, "Analyst", sites)).Client;

    /// <summary>A new user of the given role, logged in; returns the username too.</summary>
    public async Task<(string Username, GatehouseClient Client)> CreateUserAsync(GatehouseFactory factory, string role, params string[] sites)
    {
        var username = Unique.Name(role.ToLowerInvariant()).Replace(' ', '-');
        const string password = "user-password-for-tests";
        await PostAsync("/api/users", new { username, password, role, sites });
        return (username, await LoginAsync(factory.CreateClient(), username, password));
    }

    /// <summary>Audit rows matching the filter query (e.g. <c>?key=3&amp;action=key.revealed</c>).</summary>
    public async Task<JsonArray> AuditAsync(string query) => (await GetAsync($"/api/audit{query}"))["items"]!.AsArray();

    /// <summary>Posts a webhook body (a string is sent as it is) with the <c>d3key</c> header.</summary>
    public async Task<HttpResponseMessage> SendAsync(
        string integration, string site, object body, string? key, string verb = "CreateEvents", string? query = null,
        string contentType = "application/json", Action<HttpRequestMessage>? configure = null)
    {
        var text = body as string ?? JsonSerializer.Serialize(body);
        var request = new HttpRequestMessage(HttpMethod.Post,
            $"/VSOC/api/Data/{Uri.EscapeDataString(integration)}/{Uri.EscapeDataString(site)}/{verb}{query}")
        {
            Content = new StringContent(text, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("d3key", key);
        }
        configure?.Invoke(request);
        return await Http.SendAsync(request);
    }

    /// <summary>Creates an event intake key for the integration on the default site, with extra key options; returns its header value.</summary>
    public async Task<string> IntakeKeyAsync(string integration, object? options = null)
    {
        var request = new JsonObject
        {
            ["name"] = Unique.Name("Intake"), ["module"] = "DataIngestion", ["site"] = DefaultSite, ["integration"] = integration, ["intake"] = "Event",
        };
        foreach (var (name, value) in JsonSerializer.SerializeToNode(options ?? new { })!.AsObject())
        {
            request[name] = value?.DeepClone();
        }
        var view = await PostAsync("/api/keys", request);
        return (await GetAsync($"/api/keys/{view["id"]}/secret"))["headerValue"]!.GetValue<string>();
    }

    /// <summary>Sends and waits for processing; returns the 200 result.</summary>
    public async Task<JsonNode> SendAndWaitAsync(string integration, string site, object body, string key, string verb = "CreateEvents") =>
        await Json(await SendAsync(integration, site, body, key, verb, "?wait=10"), HttpStatusCode.OK);

    /// <summary>Polls the ingestion until it has <paramref name="status"/> (or the time is up); returns its last view.</summary>
    public async Task<JsonNode> WaitForIngestionAsync(string refid, string status, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(60));
        var ingestion = await GetAsync($"/api/ingestions/{refid}");
        while (ingestion["status"]!.GetValue<string>() != status && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            ingestion = await GetAsync($"/api/ingestions/{refid}");
        }
        return ingestion;
    }

    public static async Task<JsonNode> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 256 })!;
    }

    /// <summary>Asserts an RFC 9457 problem with the <c>Error</c> and <c>code</c> members; returns it.</summary>
    public static async Task<JsonNode> Problem(HttpResponseMessage response, HttpStatusCode expected, string? code = null)
    {
        var problem = await Json(response, expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(problem["Error"]?.GetValue<string>()), "the problem has no 'Error' member");
        Assert.False(string.IsNullOrEmpty(problem["code"]?.GetValue<string>()), "the problem has no 'code' member");
        if (code is not null)
        {
            Assert.Equal(code, problem["code"]!.GetValue<string>());
        }
        return problem;
    }
}
