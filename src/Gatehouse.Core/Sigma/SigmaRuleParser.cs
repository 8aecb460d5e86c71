using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Gatehouse.Core.Sigma;

/// <summary>Reads one Sigma rule file (YAML) into a compiled rule, or says why it cannot.</summary>
public static class SigmaRuleParser
{
    public static SigmaRule Parse(string yaml, string path)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new SigmaRuleException($"not valid YAML (line {ex.Start.Line}): {ex.Message}");
        }
        if (stream.Documents.Count != 1)
        {
            throw new SigmaRuleException("rule collections (several YAML documents in one file) are not supported");
        }
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new SigmaRuleException("the file is not a YAML mapping");
        }
        if (Child(root, "correlation") is not null)
        {
            throw new SigmaRuleException("correlation rules are not supported");
        }
        if (Child(root, "detection") is not YamlMappingNode detection)
        {
            throw new SigmaRuleException("the rule has no detection");
        }
        var logSource = Child(root, "logsource") as YamlMappingNode;
        return new SigmaRule
        {
            Id = Scalar(root, "id") ?? throw new SigmaRuleException("the rule has no id"),
            Title = Scalar(root, "title") ?? "",
            Level = Scalar(root, "level") ?? "medium",
            Author = Scalar(root, "author") ?? "unknown",
            Path = path,
            Tags = Child(root, "tags") is YamlSequenceNode tags ? tags.OfType<YamlScalarNode>().Select(t => t.Value ?? "").ToList() : [],
            LogSource = new SigmaLogSource(Scalar(logSource, "product"), Scalar(logSource, "category"), Scalar(logSource, "service")),
            Condition = Condition(detection),
            ConditionText = Child(detection, "condition") switch
            {
                YamlScalarNode scalar => scalar.Value ?? "",
                YamlSequenceNode list => string.Join(" | ", list.OfType<YamlScalarNode>().Select(c => c.Value)),
                _ => "",
            },
        };
    }

    private static SigmaExpression Condition(YamlMappingNode detection)
    {
        var selections = new Dictionary<string, SigmaSelection>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in detection.Children)
        {
            var name = ((YamlScalarNode)keyNode).Value ?? "";
            if (name is "condition" or "timeframe" or "fields")
            {
                continue;
            }
            selections[name] = Selection(name, value);
        }
        var conditions = Child(detection, "condition") switch
        {
            YamlScalarNode scalar => [scalar.Value ?? ""],
            YamlSequenceNode list => list.OfType<YamlScalarNode>().Select(c => c.Value ?? "").ToList(),
            _ => throw new SigmaRuleException("the detection has no condition"),
        };
        var parsed = conditions.Select(c => SigmaConditionParser.Parse(c, selections)).ToList();
        return parsed.Count == 1 ? parsed[0] : new SigmaOr(parsed);
    }

    private static SigmaSelection Selection(string name, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                return new SigmaSelection(name, [FieldTests(map)]);
            case YamlSequenceNode list when list.All(item => item is YamlMappingNode):
                return new SigmaSelection(name, list.Cast<YamlMappingNode>().Select(FieldTests).ToList());
            case YamlSequenceNode list when list.All(item => item is YamlScalarNode):
                return new SigmaSelection(name, [[Keywords(list.Cast<YamlScalarNode>())]]);
            case YamlScalarNode scalar:
                return new SigmaSelection(name, [[Keywords([scalar])]]);
            default:
                throw new SigmaRuleException($"selection '{name}' mixes maps and values");
        }
    }

    private static SigmaFieldTest Keywords(IEnumerable<YamlScalarNode> values) =>
        SigmaModifiers.Compile("|contains", values.Select(v => Value(v) ?? throw new SigmaRuleException("a keyword is null")).ToList());

    private static IReadOnlyList<SigmaFieldTest> FieldTests(YamlMappingNode map) =>
        map.Children.Select(pair =>
        {
            var key = ((YamlScalarNode)pair.Key).Value ?? "";
            var values = pair.Value switch
            {
                YamlScalarNode scalar => [Value(scalar)],
                YamlSequenceNode list when list.All(item => item is YamlScalarNode) => list.Cast<YamlScalarNode>().Select(Value).ToList(),
                _ => throw new SigmaRuleException($"'{key}' has a value that is neither a value nor a list of values"),
            };
            // A keyword map ('|all': [...]) has no field name: its values are searched everywhere.
            return SigmaModifiers.Compile(key.StartsWith('|') && !key.Contains("contains") ? key + "|contains" : key, values);
        }).ToList();

    /// <summary>A scalar's text, or null for YAML's null (<c>null</c>, <c>~</c> or nothing, unquoted).</summary>
    private static string? Value(YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Value is "" or "null" or "~" or "Null" or "NULL" ? null : scalar.Value ?? "";

    private static YamlNode? Child(YamlMappingNode? map, string key) =>
        map is not null && map.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static string? Scalar(YamlMappingNode? map, string key) => (Child(map, key) as YamlScalarNode)?.Value;
}
