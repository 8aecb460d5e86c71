using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gatehouse.Core.Intake;

namespace Gatehouse.Core.Playbooks;

/// <summary>
/// Task parameters templated over the run's context: <c>{{ $.event.Severity }}</c>,
/// <c>{{ $.incident.Title }}</c>, <c>{{ $.tasks.lookup.returnData.ip }}</c>. A string that is one
/// template and nothing else takes the value it names with its JSON type (a list stays a list);
/// templates inside text are replaced by the values' text, joined by ", ".
/// </summary>
public static partial class PlaybookTemplates
{
    public sealed record Root(string Kind, string? Task);

    public static bool IsTemplated(JsonNode? node) => Strings(node).Any(s => Placeholder().IsMatch(s));

    /// <summary>Templates whose path does not parse.</summary>
    public static IEnumerable<string> Problems(JsonNode? node) =>
        Expressions(node).Where(e => !JsonPath.TryParse(e, out _, out _) || !e.StartsWith("$.", StringComparison.Ordinal))
            .Select(e => $"'{{{{ {e} }}}}' is not a JSON path into the context ($.event…, $.incident…, $.tasks.<id>…, $.run…).");

    /// <summary>What each template reads: event, incident, run, or tasks with the task id.</summary>
    public static IEnumerable<Root> Roots(JsonNode? node) =>
        Expressions(node).Select(e =>
        {
            var parts = PathNames().Matches(e).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).ToList();
            return new Root(parts.ElementAtOrDefault(0) ?? "", parts.ElementAtOrDefault(0) == "tasks" ? parts.ElementAtOrDefault(1) : null);
        });

    public static JsonNode? Render(JsonNode? node, JsonObject context) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(kv => KeyValuePair.Create(kv.Key, Render(kv.Value, context)))),
        JsonArray array => new JsonArray(array.Select(item => Render(item, context)).ToArray()),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => RenderText(value.GetValue<string>(), context),
        _ => node?.DeepClone(),
    };

    private static JsonNode? RenderText(string text, JsonObject context)
    {
        var whole = Placeholder().Match(text);
        if (whole.Success && whole.Length == text.Length)
        {
            var found = Select(whole.Groups[1].Value, context);
            return found.Count switch
            {
                0 => null,
                1 => found[0]?.DeepClone(),
                _ => new JsonArray(found.Select(f => f?.DeepClone()).ToArray()),
            };
        }
        return Placeholder().Replace(text, m => string.Join(", ", Select(m.Groups[1].Value, context).Select(Text)));
    }

    private static IReadOnlyList<JsonNode?> Select(string expression, JsonObject context) =>
        JsonPath.TryParse(expression, out var path, out _) ? path.Select(context) : [];

    private static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    private static IEnumerable<string> Expressions(JsonNode? node) =>
        Strings(node).SelectMany(s => Placeholder().Matches(s).Select(m => m.Groups[1].Value));

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(kv => Strings(kv.Value)),
        JsonArray array => array.SelectMany(Strings),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => [value.GetValue<string>()],
        _ => [],
    };

    // Linear time whatever the text: a value of "{{" repeated thousands of times must not cost seconds per parameter.
    [GeneratedRegex(@"\{\{\s*(.+?)\s*\}\}", RegexOptions.NonBacktracking)]
    private static partial Regex Placeholder();

    /// <summary>The names along a path: <c>.name</c> or <c>['name']</c>.</summary>
    [GeneratedRegex(@"\.([^.\[\]]+)|\[['""]([^'""]+)['""]\]", RegexOptions.None, 1000)]
    private static partial Regex PathNames();
}
