using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gatehouse.Tests.Interop;

/// <summary>How a CCF <c>RestApiPoller</c> config pages (its <c>paging</c> block).</summary>
public enum CcfPaging
{
    /// <summary>No <c>paging</c> block: one request per window.</summary>
    None,

    /// <summary><c>"pagingType": "Offset"</c> with a plain <c>offsetParaName</c>: 0, pageSize, 2·pageSize… until a page has no events.</summary>
    Offset,

    /// <summary><c>"pagingType": "CountBasedPaging"</c> with a plain <c>pageNumberParaName</c>, 0-based, until <c>pageCountJsonPath</c>.</summary>
    CountBased,

    /// <summary>CountBasedPaging whose <c>pageNumberParaName</c> is a JSON path into the body (<c>$.CommandParams.PageIndex</c>): the nested value is rewritten.</summary>
    CountBasedJsonPath,
}

/// <summary>Where a poller puts a plain-named paging parameter of a JSON POST: beside the template's members, or in the query string.</summary>
public enum PagePlacement { BodyTopLevel, QueryString }

/// <summary>One input column of a data-collection rule's stream declaration: the row key it reads and its declared type.</summary>
public sealed record DcrColumn(string Name, string Type)
{
    /// <summary>The <c>streamDeclarations</c> columns as the DCR file lists them (<c>[{ "name": …, "type": … }, …]</c>).</summary>
    public static IReadOnlyList<DcrColumn> Parse(string columnsJson) =>
        JsonNode.Parse(columnsJson)!.AsArray().Select(c => new DcrColumn(c!["name"]!.GetValue<string>(), c["type"]!.GetValue<string>())).ToList();
}

/// <summary>
/// One published version of Microsoft Sentinel's D3 connector (Solutions/D3SOAR, Solutions/D3SmartSOAR):
/// what the user types as BaseUrl, the poller's <c>apiEndpoint</c> after <c>{{BaseUrl}}</c>, its
/// <c>queryParametersTemplate</c> (as the JSON string literal of the config file), its paging and the DCR columns it keeps.
/// </summary>
public sealed record SentinelConnectorVersion(
    string Name,
    string BaseUrlPath,
    string ApiEndpointPath,
    string QueryParametersTemplateJson,
    CcfPaging Paging,
    string? PageParameter,
    int OffsetPageSize,
    IReadOnlyList<DcrColumn> Columns)
{
    public const string QueryTimeFormat = "yyyy-MM-dd HH:mm:ss";
    public static readonly TimeSpan QueryWindow = TimeSpan.FromMinutes(5);

    /// <summary>The template string: the config file's JSON string literal decoded, as CCF reads it.</summary>
    public string QueryParametersTemplate => JsonSerializer.Deserialize<string>(QueryParametersTemplateJson)!;

    /// <summary>
    /// The body as the deployed poller holds it: ARM's <c>concat(…, parameters('Username'), …)</c> puts the user's text
    /// in as it is (no JSON escaping), and the poller substitutes the window with <c>queryTimeFormat</c>.
    /// </summary>
    public string Body(string username, string site, DateTime windowStart, DateTime windowEnd) =>
        QueryParametersTemplate
            .Replace("{{Username}}", username, StringComparison.Ordinal)
            .Replace("{{Site}}", site, StringComparison.Ordinal)
            .Replace("{_QueryWindowStartTime}", windowStart.ToString(QueryTimeFormat, CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{_QueryWindowEndTime}", windowEnd.ToString(QueryTimeFormat, CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>The request URL: <c>apiEndpoint</c> is <c>{{BaseUrl}}</c> + path, BaseUrl as the user types it for this version's UI.</summary>
    public Uri Url(Uri host) => new(host.GetLeftPart(UriPartial.Authority) + BaseUrlPath + ApiEndpointPath);
}

/// <summary>One request the simulated poller sent and what it read back.</summary>
public sealed record PollRequest(Uri Url, string Body, HttpStatusCode Status, string ResponseText, JsonArray? Events, int? TotalPages);

/// <summary>
/// Microsoft Sentinel's CCF <c>RestApiPoller</c> as the D3 connector configures it: POST, headers
/// <c>Accept</c>/<c>Content-Type: application/json</c> and <c>d3jwt: &lt;token as typed&gt;</c> (ApiKeyName, no prefix),
/// the body from the template, events at <c>$.rawData.incidents[*]</c>, paged per the version's paging block.
/// </summary>
public sealed class CcfRestApiPoller(HttpClient http, SentinelConnectorVersion version, string username, string site, string token,
    PagePlacement placement = PagePlacement.BodyTopLevel)
{
    /// <summary>A runaway guard: a server that ignores the page parameter would keep answering the same page.</summary>
    public const int MaxPagesPerWindow = 20;

    public List<PollRequest> Requests { get; } = [];

    /// <summary>Every event of the window, page after page, in the order the poller read them.</summary>
    public async Task<List<JsonObject>> PollWindowAsync(DateTime windowStart, DateTime windowEnd)
    {
        var body = version.Body(username, site, windowStart, windowEnd);
        var events = new List<JsonObject>();
        if (version.Paging == CcfPaging.None)
        {
            events.AddRange(Events(await SendAsync(body, null)));
            return events;
        }
        // Offset counts events (0, pageSize, 2·pageSize…); CountBasedPaging counts pages from 0.
        for (var page = 0; ; page++)
        {
            Assert.True(page < MaxPagesPerWindow, $"{version.Name}: still paging after {MaxPagesPerWindow} requests for one window: the server ignores the page parameter.");
            var value = version.Paging == CcfPaging.Offset ? page * version.OffsetPageSize : page;
            var sent = version.Paging == CcfPaging.CountBasedJsonPath
                ? await SendAsync(WithNestedValue(body, version.PageParameter!, value), null)
                : placement == PagePlacement.QueryString
                    ? await SendAsync(body, $"?{Uri.EscapeDataString(version.PageParameter!)}={value}")
                    : await SendAsync(WithTopLevelValue(body, version.PageParameter!, value), null);
            var read = Events(sent);
            events.AddRange(read);
            if (version.Paging == CcfPaging.Offset ? read.Count == 0 : page + 1 >= sent.TotalPages)
            {
                return events;
            }
        }
    }

    private async Task<PollRequest> SendAsync(string body, string? query)
    {
        var url = new Uri(version.Url(http.BaseAddress!) + (query ?? ""));
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.TryAddWithoutValidation("d3jwt", token);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{version.Name}: {(int)response.StatusCode} for {url} with {body}: {text}");
        var answer = JsonNode.Parse(text)!;
        var incidents = answer["rawData"]?["incidents"] as JsonArray;
        Assert.True(incidents is not null, $"{version.Name}: the answer has no $.rawData.incidents array: {text}");
        int? totalPages = null;
        if (version.Paging is CcfPaging.CountBased or CcfPaging.CountBasedJsonPath)
        {
            var count = answer["outputData"]?["TotalPages"];
            Assert.True(count is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out _),
                $"{version.Name}: $.outputData.TotalPages is not an integer: {text}");
            totalPages = count!.GetValue<int>();
        }
        var sent = new PollRequest(url, body, response.StatusCode, text, incidents, totalPages);
        Requests.Add(sent);
        return sent;
    }

    private List<JsonObject> Events(PollRequest request)
    {
        Assert.All(request.Events!, e => Assert.True(e is JsonObject, $"{version.Name}: an element of $.rawData.incidents is not an object: {e?.ToJsonString()}"));
        return request.Events!.Select(e => (JsonObject)e!.DeepClone()).ToList();
    }

    /// <summary>The body with a plain-named parameter added beside the template's members (re-serialized by the poller).</summary>
    private static string WithTopLevelValue(string body, string name, int value)
    {
        var root = JsonNode.Parse(body)!.AsObject();
        root[name] = value;
        return root.ToJsonString();
    }

    /// <summary>The body with the member a <c>$.a.b</c> path names set (re-serialized by the poller).</summary>
    private static string WithNestedValue(string body, string jsonPath, int value)
    {
        Assert.StartsWith("$.", jsonPath);
        var root = JsonNode.Parse(body)!;
        var names = jsonPath[2..].Split('.');
        var parent = names[..^1].Aggregate(root, (node, name) => node[name]!);
        parent.AsObject()[names[^1]] = value;
        return root.ToJsonString();
    }
}
