using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Gatehouse.Bench.Http;

/// <summary>What a scenario sends to a Gatehouse node: the URL path and the headers of one request.</summary>
public sealed record Target(string Path, Dictionary<string, string> Headers);

/// <summary>Sets a fresh Gatehouse node up through its admin API, as an operator would.</summary>
public sealed class GatehouseSetup(string baseUrl, string adminPassword)
{
    public const string Site = "Security Operations";
    private readonly HttpClient _http = new() { BaseAddress = new Uri(baseUrl) };

    public async Task LoginAsync()
    {
        var response = await _http.PostAsJsonAsync("/api/auth/token", new { username = "admin", password = adminPassword });
        var token = (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>An API intake key; <paramref name="runMitreTtpSearch"/> turns the key's TTP search on (ATT&amp;CK IDs, Sigma rules, technique names per event).</summary>
    public async Task<Target> ApiKeyIntakeAsync(bool runMitreTtpSearch = false)
    {
        var integration = await IntegrationAsync();
        var key = await PostAsync("/api/keys", new JsonObject
        {
            ["name"] = "bench api key", ["module"] = "DataIngestion", ["site"] = Site, ["integration"] = integration, ["intake"] = "Event", ["rateLimitPerSecond"] = 100_000,
            ["runMitreTtpSearch"] = runMitreTtpSearch,
        });
        var value = (await GetAsync($"/api/keys/{key["id"]}/secret"))["headerValue"]!.GetValue<string>();
        return new Target(IntakePath(integration), new() { ["d3key"] = value, ["Content-Type"] = "application/json" });
    }

    /// <summary>Turns enhanced authentication on (from then on only tokens are accepted) and makes a JWT intake key and a token signing the body.</summary>
    public async Task<Target> JwtIntakeAsync(string body)
    {
        await PutAsync("/api/settings/EnableEnhanceWebhookAuthentication", new JsonObject { ["value"] = true });
        var integration = await IntegrationAsync();
        var key = await PostAsync("/api/keys", new JsonObject
        {
            ["name"] = "bench jwt key", ["module"] = "DataIngestion", ["method"] = "Jwt", ["site"] = Site, ["integration"] = integration, ["intake"] = "Event",
            ["rateLimitPerSecond"] = 100_000, ["sampleBody"] = JsonNode.Parse(body),
        });
        var secret = (await GetAsync($"/api/keys/{key["id"]}/secret"))["secretKey"]!.GetValue<string>();
        var header = $"{{\"alg\":\"HS256\",\"kid\":\"{key["kid"]}\",\"typ\":\"JWT\"}}";
        return new Target(IntakePath(integration), new() { ["d3jwt"] = Sign(header, body, secret), ["Content-Type"] = "application/json" });
    }

    public async Task<Target> RemoteCommandAsync()
    {
        var key = await PostAsync("/api/keys", new JsonObject
        {
            ["name"] = "bench command key", ["module"] = "UtilityCommand", ["command"] = "ExtractArtifacts", ["rateLimitPerSecond"] = 100_000,
        });
        var value = (await GetAsync($"/api/keys/{key["id"]}/secret"))["headerValue"]!.GetValue<string>();
        return new Target("/VSOC/api/Command/ExtractArtifacts", new() { ["d3key"] = value, ["Content-Type"] = "application/json" });
    }

    private async Task<string> IntegrationAsync()
    {
        var name = $"Bench {Guid.NewGuid():N}"[..14];
        await PostAsync("/api/integrations", new JsonObject
        {
            ["name"] = name,
            ["eventIntake"] = new JsonObject
            {
                ["mainJsonPath"] = "$",
                ["fieldMappings"] = new JsonArray(new JsonObject { ["field"] = "Title", ["source"] = "$.alert.name" }, new JsonObject { ["field"] = "Severity", ["source"] = "$.alert.severity" }),
            },
        });
        return name;
    }

    private static string IntakePath(string integration) => $"/VSOC/api/Data/{Uri.EscapeDataString(integration)}/{Uri.EscapeDataString(Site)}/CreateEvents";

    private static string Sign(string header, string payload, string secret)
    {
        static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var input = $"{B64(Encoding.UTF8.GetBytes(header))}.{B64(Encoding.UTF8.GetBytes(payload))}";
        return $"{input}.{B64(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(input)))}";
    }

    private async Task<JsonNode> PostAsync(string path, JsonObject body)
    {
        var response = await _http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? JsonNode.Parse(text)! : throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
    }

    private async Task PutAsync(string path, JsonObject body) => (await _http.PutAsJsonAsync(path, body)).EnsureSuccessStatusCode();

    private async Task<JsonNode> GetAsync(string path) => (await _http.GetFromJsonAsync<JsonNode>(path))!;
}
