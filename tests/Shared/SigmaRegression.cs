using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Gatehouse.Testing;

/// <summary>One case of SigmaHQ's regression data: a rule id and the real events it must match.</summary>
public sealed record SigmaRegressionCase(string Folder, string RuleId, string RuleTitle, int? MatchCount, IReadOnlyList<JsonNode> Events);

/// <summary>
/// Reads SigmaHQ's regression data (shared/data/sigma/regression): each folder's info.yml names the
/// rule, and a .json file holds one or more events rendered as JSON, one after the other. A .raw file
/// (a syslog line) becomes <c>{"message": line}</c>, the way a webhook sender would post it.
/// </summary>
public static class SigmaRegression
{
    public static IReadOnlyList<SigmaRegressionCase> Load(string root) =>
        Directory.EnumerateFiles(root, "info.yml", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(info => Case(root, info))
            .ToList();

    private static SigmaRegressionCase Case(string root, string info)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(info)));
        var map = (YamlMappingNode)yaml.Documents[0].RootNode;
        var rule = (YamlMappingNode)((YamlSequenceNode)map["rule_metadata"])[0];
        int? matchCount = null;
        if (map.Children.TryGetValue(new YamlScalarNode("regression_tests_info"), out var tests)
            && ((YamlMappingNode)((YamlSequenceNode)tests)[0]).Children.TryGetValue(new YamlScalarNode("match_count"), out var count))
        {
            matchCount = int.Parse(((YamlScalarNode)count).Value!);
        }
        var folder = Path.GetDirectoryName(info)!;
        var events = Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal).SelectMany(Events).ToList();
        return new SigmaRegressionCase(
            Path.GetRelativePath(root, folder), ((YamlScalarNode)rule["id"]).Value!, ((YamlScalarNode)rule["title"]).Value!, matchCount, events);
    }

    private static IEnumerable<JsonNode> Events(string file)
    {
        if (file.EndsWith(".raw", StringComparison.Ordinal))
        {
            return File.ReadAllLines(file).Where(l => l.Length > 0).Select(l => (JsonNode)new JsonObject { ["message"] = l });
        }
        return file.EndsWith(".json", StringComparison.Ordinal) ? Concatenated(File.ReadAllBytes(file)) : [];
    }

    /// <summary>JSON documents written one after another in one file.</summary>
    private static List<JsonNode> Concatenated(byte[] bytes)
    {
        var documents = new List<JsonNode>();
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowMultipleValues = true });
        while (JsonNode.Parse(ref reader) is { } document)
        {
            documents.Add(document);
            if (!reader.Read())
            {
                break;
            }
        }
        return documents;
    }
}
