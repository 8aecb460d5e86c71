using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Commands;

namespace Gatehouse.Core.Attack;

public sealed record Evidence(string Field, string Value);

public sealed record TacticRef(string Id, string? Name);

/// <summary>One technique found in an event, with how it was found.</summary>
public sealed record TechniqueMatch(
    string TechniqueId, string? TechniqueName, IReadOnlyList<TacticRef> Tactics, string Layer, string Confidence, IReadOnlyList<Evidence> Evidence);

/// <summary>
/// MITRE ATT&amp;CK technique search over an event's values, in layers: explicit technique and tactic
/// IDs (revoked IDs resolved to their replacement; high confidence), then exact technique names
/// (low confidence; a name several sub-techniques share is not reported). Sigma rules are a later layer.
/// </summary>
public static class TtpSearch
{
    public const string ExplicitLayer = "explicit-id";
    public const string NameLayer = "technique-name";
    private const int MaxValueLength = 4096;

    public static IReadOnlyList<TechniqueMatch> Search(JsonNode? raw, IReadOnlyDictionary<string, string> mappedFields, AttackCatalog catalog)
    {
        var values = new List<(string Field, string Value)>();
        Collect(raw, "$", values);
        values.AddRange(mappedFields.Select(f => (f.Key, f.Value)));
        var found = new Dictionary<string, (TechniqueMatch Match, List<Evidence> Evidence)>(StringComparer.OrdinalIgnoreCase);
        foreach (var (field, value) in values)
        {
            var text = value.Length > MaxValueLength ? value[..MaxValueLength] : value;
            // IDs match in any case: Sigma-style tags write them as attack.t1059.001.
            foreach (var id in ArtifactExtractor.AttackIds(text.ToUpperInvariant()))
            {
                if (id.StartsWith("TA", StringComparison.Ordinal))
                {
                    var tactic = catalog.Tactic(id);
                    Add(found, $"tactic:{id}", new TechniqueMatch(id, tactic?.Name, [new TacticRef(id, tactic?.Name)], ExplicitLayer, "high", []), field, id);
                    continue;
                }
                var technique = catalog.Technique(id);
                Add(found, technique?.Id ?? id, Describe(technique, id, ExplicitLayer, "high"), field, id);
            }
            if (!catalog.IsEmpty && catalog.ByName(text) is [var named])
            {
                Add(found, named.Id, Describe(named, named.Id, NameLayer, "low"), field, text);
            }
        }
        return found.Values.Select(f => f.Match with { Evidence = f.Evidence }).ToList();
    }

    private static TechniqueMatch Describe(Technique? technique, string id, string layer, string confidence) =>
        new(technique?.Id ?? id, technique?.Name, technique?.Tactics.Select(t => new TacticRef(t.Id, t.Name)).ToList() ?? [], layer, confidence, []);

    /// <summary>The strongest layer wins; evidence from every layer is kept.</summary>
    private static void Add(Dictionary<string, (TechniqueMatch, List<Evidence>)> found, string key, TechniqueMatch match, string field, string value)
    {
        if (!found.TryGetValue(key, out var existing))
        {
            found[key] = existing = (match, []);
        }
        if (existing.Item2.Count < 10 && !existing.Item2.Any(e => e.Field == field && e.Value == value))
        {
            existing.Item2.Add(new Evidence(field, value));
        }
    }

    private static void Collect(JsonNode? node, string path, List<(string, string)> values)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    Collect(child, $"{path}['{name}']", values);
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Collect(array[i], $"{path}[{i}]", values);
                }
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                values.Add((path, value.GetValue<string>()));
                break;
        }
    }
}
