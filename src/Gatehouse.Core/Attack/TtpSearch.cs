using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Gatehouse.Core.Commands;
using Gatehouse.Core.Sigma;

namespace Gatehouse.Core.Attack;

/// <summary>What showed a technique: a field and its value, and for Sigma the rule that matched.</summary>
public sealed record Evidence(string Field, string Value)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SigmaRuleRef? Rule { get; init; }
}

/// <summary>A Sigma rule as evidence names it. Its author is kept, as the rules' licence requires.</summary>
public sealed record SigmaRuleRef(string Id, string Title, string Level, string Author);

public sealed record TacticRef(string Id, string? Name);

/// <summary>
/// One technique (or, for a rule tagged only with a tactic, one tactic) found in an event, with how it was found.
/// <see cref="InCatalog"/> is false for an ID the loaded ATT&amp;CK catalogue does not know (a newer version's).
/// </summary>
public sealed record TechniqueMatch(
    string TechniqueId, string? TechniqueName, IReadOnlyList<TacticRef> Tactics, string Layer, string Confidence, IReadOnlyList<Evidence> Evidence)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? InCatalog { get; init; }
}

/// <summary>
/// MITRE ATT&amp;CK technique search over an event's values, in layers: explicit technique and tactic
/// IDs (revoked IDs resolved to their replacement; high confidence), then exact technique names
/// (low confidence; a name several sub-techniques share is not reported; only in fields meant to
/// carry one, whose name says technique, tactic or mitre), with Sigma rules between them: a matching
/// rule's <c>attack.tXXXX</c> tags are its techniques (its tactic tags when it has none), its level
/// the confidence.
/// </summary>
public static partial class TtpSearch
{
    public const string ExplicitLayer = "explicit-id";
    public const string NameLayer = "technique-name";
    public const string SigmaLayer = "sigma";
    private const int MaxValueLength = 4096;

    public static IReadOnlyList<TechniqueMatch> Search(
        JsonNode? raw, IReadOnlyDictionary<string, string> mappedFields, AttackCatalog catalog, SigmaRuleSet? sigma = null, SigmaLogSource? declaredSource = null,
        IReadOnlyDictionary<string, string>? sigmaFields = null, bool idsAnywhere = false)
    {
        var values = new List<(string Field, string Value)>();
        Collect(raw, "$", values);
        values.AddRange(mappedFields.Select(f => (f.Key, f.Value)));
        var found = new Dictionary<string, (TechniqueMatch Match, List<Evidence> Evidence)>(StringComparer.OrdinalIgnoreCase);
        foreach (var (field, value) in values)
        {
            // IDs count in fields meant for them in any case (Sigma-style tags write attack.t1059.001). Elsewhere only as
            // attack.tXXXX tags, or written as MITRE writes a technique it has: a "t1078" is an employee's account, a
            // "Q3-T1000.xlsx" a file, a "WS-TA0001" a workstation.
            var capped = Capped(value);
            var ids = idsAnywhere || FieldNames.CarriesTechniques(field, ForIds) ? ArtifactExtractor.AttackIds(capped.ToUpperInvariant())
                : AttackTag().Matches(capped).Select(m => m.Groups[1].Value.ToUpperInvariant())
                    .Concat(ArtifactExtractor.AttackIds(capped).Where(id => !id.StartsWith("TA", StringComparison.Ordinal) && (catalog.IsEmpty || catalog.Technique(id) is not null)))
                    .Distinct();
            foreach (var id in ids)
            {
                if (id.StartsWith("TA", StringComparison.Ordinal))
                {
                    var tactic = catalog.Tactic(id);
                    Add(found, $"tactic:{id}", new TechniqueMatch(id, tactic?.Name, [new TacticRef(id, tactic?.Name)], ExplicitLayer, "high", []), new Evidence(field, id));
                    continue;
                }
                var technique = catalog.Technique(id);
                Add(found, technique?.Id ?? id, Describe(technique, id, ExplicitLayer, "high") with { InCatalog = catalog.IsEmpty ? null : technique is not null },
                    new Evidence(field, id));
            }
        }
        if (sigma is { IsEmpty: false })
        {
            foreach (var hit in sigma.Match(new SigmaEvent(raw, mappedFields, sigmaFields), declaredSource))
            {
                var rule = new SigmaRuleRef(hit.Rule.Id, hit.Rule.Title, hit.Rule.Level, hit.Rule.Author);
                var witness = hit.Witnesses.FirstOrDefault() ?? new SigmaWitness("", "");
                var evidence = new Evidence(witness.Field, Capped(witness.Value)) { Rule = rule };
                foreach (var id in hit.Rule.Techniques)
                {
                    var technique = catalog.Technique(id);
                    Add(found, technique?.Id ?? id, Describe(technique, id, SigmaLayer, Confidence(hit.Rule.Level)) with
                    {
                        InCatalog = catalog.IsEmpty ? null : technique is not null,
                    }, evidence);
                }
                if (hit.Rule.Techniques.Count > 0)
                {
                    continue;
                }
                foreach (var name in hit.Rule.TacticNames)
                {
                    var tactic = catalog.Tactics.FirstOrDefault(t => string.Equals(t.ShortName, name, StringComparison.OrdinalIgnoreCase));
                    var id = tactic?.Id ?? $"attack.{name}";
                    Add(found, $"tactic:{id}", new TechniqueMatch(id, tactic?.Name, [new TacticRef(id, tactic?.Name ?? name)], SigmaLayer, Confidence(hit.Rule.Level), [])
                    {
                        InCatalog = catalog.IsEmpty ? null : tactic is not null,
                    }, evidence);
                }
            }
        }
        foreach (var (field, value) in values.Where(v => FieldNames.CarriesTechniques(v.Field, ForNames)))
        {
            if (!catalog.IsEmpty && catalog.ByName(Capped(value)) is [var named])
            {
                Add(found, named.Id, Describe(named, named.Id, NameLayer, "low"), new Evidence(field, Capped(value)));
            }
        }
        return found.Values.Select(f => f.Match with { Evidence = f.Evidence }).ToList();
    }

    /// <summary>Words of a field's name that say it names techniques by name.</summary>
    private static readonly HashSet<string> ForNames = new(StringComparer.OrdinalIgnoreCase) { "technique", "techniques", "tactic", "tactics", "mitre", "ttp", "ttps" };

    /// <summary>Words that say a field carries technique IDs: those, and tags and attack (alerts' <c>tags</c>, <c>threat.technique.id</c>).</summary>
    private static readonly HashSet<string> ForIds = new(ForNames, StringComparer.OrdinalIgnoreCase) { "tag", "tags", "attack" };

    [System.Text.RegularExpressions.GeneratedRegex(@"\battack\.(t\d{4}(?:\.\d{3})?|ta\d{4})\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex AttackTag();

    private static string Capped(string value) => value.Length > MaxValueLength ? value[..MaxValueLength] : value;

    /// <summary>A Sigma rule's level as the confidence of what it found.</summary>
    private static string Confidence(string level) => level.ToLowerInvariant() switch
    {
        "critical" or "high" => "high",
        "medium" => "medium",
        _ => "low",
    };

    private static TechniqueMatch Describe(Technique? technique, string id, string layer, string confidence) =>
        new(technique?.Id ?? id, technique?.Name, technique?.Tactics.Select(t => new TacticRef(t.Id, t.Name)).ToList() ?? [], layer, confidence, []);

    /// <summary>The strongest layer wins; evidence from every layer is kept.</summary>
    private static void Add(Dictionary<string, (TechniqueMatch, List<Evidence>)> found, string key, TechniqueMatch match, Evidence evidence)
    {
        if (!found.TryGetValue(key, out var existing))
        {
            found[key] = existing = (match, []);
        }
        if (existing.Item2.Count < 10 && !existing.Item2.Contains(evidence))
        {
            existing.Item2.Add(evidence);
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
