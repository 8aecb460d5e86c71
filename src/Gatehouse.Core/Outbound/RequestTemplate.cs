using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Gatehouse.Core.Outbound;

/// <summary>An integration command's HTTP request, with <c>{{Parameter Name}}</c> placeholders.</summary>
public sealed record RequestTemplate(
    string Method,
    string Path,
    Dictionary<string, string>? Query = null,
    Dictionary<string, string>? Headers = null,
    JsonNode? Body = null);

/// <summary>A request with the parameters filled in.</summary>
public sealed record RenderedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string? Body);

public static partial class RequestTemplates
{
    [GeneratedRegex(@"\{\{\s*([^{}]+?)\s*\}\}", RegexOptions.None, 1000)]
    private static partial Regex Placeholder();

    /// <summary>
    /// Fills the template: in the path each value is URL-escaped; in query and header values it is
    /// text; in the body, a string that is exactly one placeholder becomes the parameter's JSON value
    /// and other strings get the text. A placeholder naming no given parameter becomes empty.
    /// </summary>
    public static RenderedRequest Render(RequestTemplate template, JsonObject parameters)
    {
        var path = Placeholder().Replace(template.Path, m => Uri.EscapeDataString(Text(parameters[m.Groups[1].Value])));
        var query = (template.Query ?? [])
            .Select(q => (q.Key, Value: Fill(q.Value, parameters)))
            .Where(q => q.Value.Length > 0)
            .Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}")
            .ToList();
        var headers = (template.Headers ?? []).ToDictionary(h => h.Key, h => Fill(h.Value, parameters));
        var body = template.Body is null ? null : FillJson(template.Body, parameters)?.ToJsonString();
        return new RenderedRequest(template.Method.ToUpperInvariant(), query.Count == 0 ? path : $"{path}?{string.Join('&', query)}", headers, body);
    }

    /// <summary>The placeholders a template uses, for checking them against the declared parameters.</summary>
    public static IReadOnlySet<string> Placeholders(RequestTemplate template)
    {
        var texts = new List<string> { template.Path };
        texts.AddRange(template.Query?.Values ?? Enumerable.Empty<string>());
        texts.AddRange(template.Headers?.Values ?? Enumerable.Empty<string>());
        if (template.Body is not null)
        {
            texts.Add(template.Body.ToJsonString());
        }
        return texts.SelectMany(t => Placeholder().Matches(t).Select(m => m.Groups[1].Value)).ToHashSet(StringComparer.Ordinal);
    }

    private static string Fill(string text, JsonObject parameters) =>
        Placeholder().Replace(text, m => Text(parameters[m.Groups[1].Value]));

    private static JsonNode? FillJson(JsonNode? node, JsonObject parameters) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, FillJson(p.Value, parameters)))),
        JsonArray array => new JsonArray(array.Select(item => FillJson(item, parameters)).ToArray()),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => FillString(value.GetValue<string>(), parameters),
        _ => node?.DeepClone(),
    };

    private static JsonNode? FillString(string text, JsonObject parameters)
    {
        var whole = Placeholder().Match(text);
        if (whole.Success && whole.Length == text.Length)
        {
            return parameters[whole.Groups[1].Value]?.DeepClone();
        }
        return JsonValue.Create(Fill(text, parameters));
    }

    private static string Text(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => value.ToJsonString(),
    };
}
