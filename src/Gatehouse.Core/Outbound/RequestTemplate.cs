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

/// <summary>A templated value that would change the shape of the request (a header, a path segment): the command fails with this message.</summary>
public sealed class RequestRefusedException(string message) : Exception(message);

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
    /// What would change the request's shape is refused with <see cref="RequestRefusedException"/>:
    /// CR, LF, NUL or other control characters in a header, a header name that is not a token, and a
    /// path value that is <c>.</c> or <c>..</c> (a dot segment would climb out of the command's path).
    /// </summary>
    public static RenderedRequest Render(RequestTemplate template, JsonObject parameters)
    {
        var path = Placeholder().Replace(template.Path, m => PathSegment(m.Groups[1].Value, Text(parameters[m.Groups[1].Value])));
        // Values around literal dots ("/.{{A}}./") can still make a dot segment: judge the path as rendered.
        if (path.Split('/').Any(segment => segment is "." or ".."))
        {
            throw new RequestRefusedException("The rendered request path has a '.' or '..' segment, which would leave the command's path; it was not sent.");
        }
        var query = (template.Query ?? [])
            .Select(q => (q.Key, Value: Fill(q.Value, parameters)))
            .Where(q => q.Value.Length > 0)
            .Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}")
            .ToList();
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in template.Headers ?? [])
        {
            headers[HeaderName(name)] = HeaderValue(name, Fill(value, parameters));
        }
        var body = template.Body is null ? null : FillJson(template.Body, parameters)?.ToJsonString();
        return new RenderedRequest(template.Method.ToUpperInvariant(), query.Count == 0 ? path : $"{path}?{string.Join('&', query)}", headers, body);
    }

    private static string PathSegment(string parameter, string value)
    {
        if (value.Trim() is "." or ".." || value.Contains('\0'))
        {
            throw new RequestRefusedException($"The value of '{parameter}' cannot be used in the request path: '.' and '..' would leave the command's path.");
        }
        return Uri.EscapeDataString(value);
    }

    /// <summary>Whether <paramref name="name"/> is an HTTP token (RFC 9110 §5.6.2), as a header name must be.</summary>
    public static bool IsHeaderName(string name) =>
        name.Length > 0 && name.All(c => c < 128 && (char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)));

    /// <summary>Headers that frame the request, choose its host, path or method behind a proxy: the HTTP client sets them, a template never does.</summary>
    public static readonly IReadOnlyList<string> FramingHeaders =
        ["Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "TE", "Trailer", "Upgrade", "Expect", "Proxy-Connection", "Proxy-Authorization", "HTTP2-Settings",
         "Forwarded", "X-Forwarded-Host", "X-Forwarded-For", "X-Forwarded-Proto", "X-Original-URL", "X-Rewrite-URL", "X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"];

    public static bool IsFramingHeader(string name) => FramingHeaders.Contains(name.Trim(), StringComparer.OrdinalIgnoreCase);

    private static string HeaderName(string name) =>
        !IsHeaderName(name) ? throw new RequestRefusedException($"'{Printable(name)}' is not a valid HTTP header name.")
        : IsFramingHeader(name) ? throw new RequestRefusedException($"The header '{name}' frames the request and cannot be set by a template.")
        : name;

    private static string HeaderValue(string name, string value) =>
        value.Any(c => c is '\r' or '\n' or '\0' || (char.IsControl(c) && c != '\t'))
            ? throw new RequestRefusedException($"The value of the header '{name}' contains CR, LF, NUL or another control character; it was not sent.")
            : value;

    private static string Printable(string text) => new(text.Select(c => char.IsControl(c) ? '?' : c).Take(100).ToArray());

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
