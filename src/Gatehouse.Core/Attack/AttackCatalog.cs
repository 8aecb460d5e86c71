using System.Text.Json;

namespace Gatehouse.Core.Attack;

public sealed record Tactic(string Id, string Name, string ShortName);

public sealed record Technique(string Id, string Name, IReadOnlyList<Tactic> Tactics, bool Revoked, bool Deprecated, string? RevokedBy);

/// <summary>
/// MITRE ATT&amp;CK® techniques, sub-techniques and tactics from a STIX bundle (2.0 or 2.1, as MITRE
/// publishes enterprise-attack.json): IDs are the mitre-attack external ids, a technique's tactics
/// its mitre-attack kill-chain phases, and revoked techniques point at their replacement.
/// </summary>
public sealed class AttackCatalog
{
    private readonly Dictionary<string, Technique> _techniques;
    private readonly Dictionary<string, Tactic> _tactics;
    private readonly Dictionary<string, List<Technique>> _byName;

    private AttackCatalog(IEnumerable<Technique> techniques, IReadOnlyList<Tactic> tactics)
    {
        MatrixTactics = tactics;
        _techniques = techniques.ToDictionary(t => t.Id, StringComparer.OrdinalIgnoreCase);
        _tactics = tactics.DistinctBy(t => t.Id, StringComparer.OrdinalIgnoreCase).ToDictionary(t => t.Id, StringComparer.OrdinalIgnoreCase);
        _byName = _techniques.Values.Where(t => !t.Revoked && !t.Deprecated)
            .GroupBy(t => t.Name.Trim(), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.OrdinalIgnoreCase);
    }

    public static readonly AttackCatalog Empty = new([], []);

    public bool IsEmpty => _techniques.Count == 0;

    public IReadOnlyCollection<Technique> Techniques => _techniques.Values;

    public IReadOnlyCollection<Tactic> Tactics => _tactics.Values;

    /// <summary>The tactics in the order of the bundle's matrix (its <c>tactic_refs</c>); tactics it does not name follow by ID.</summary>
    public IReadOnlyList<Tactic> MatrixTactics { get; }

    /// <summary>The technique with this ID, following revoked-by to the current one.</summary>
    public Technique? Technique(string id)
    {
        var found = _techniques.GetValueOrDefault(id);
        for (var hops = 0; found is { Revoked: true, RevokedBy: { } next } && hops < 10; hops++)
        {
            found = _techniques.GetValueOrDefault(next) ?? found;
        }
        return found;
    }

    public Tactic? Tactic(string id) => _tactics.GetValueOrDefault(id);

    /// <summary>Current techniques with exactly this name (several sub-techniques share some names).</summary>
    public IReadOnlyList<Technique> ByName(string name) => _byName.GetValueOrDefault(name.Trim()) ?? [];

    public static AttackCatalog Load(Stream bundle)
    {
        using var document = JsonDocument.Parse(bundle, new JsonDocumentOptions { MaxDepth = 64 });
        if (!document.RootElement.TryGetProperty("objects", out var objects) || objects.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException("Not a STIX bundle: there is no 'objects' array.");
        }
        var tactics = new Dictionary<string, Tactic>(StringComparer.Ordinal); // by shortname
        var tacticStixIds = new Dictionary<string, Tactic>(StringComparer.Ordinal);
        var matrixOrder = new List<string>();
        var patterns = new List<(string StixId, string Id, string Name, List<string> Phases, bool Revoked, bool Deprecated)>();
        var revokedBy = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in objects.EnumerateArray())
        {
            var type = Text(item, "type");
            if (type == "x-mitre-tactic" && AttackId(item) is { } tacticId && Text(item, "x_mitre_shortname") is { } shortName)
            {
                var tactic = new Tactic(tacticId, Text(item, "name") ?? tacticId, shortName);
                tactics[shortName] = tactic;
                if (Text(item, "id") is { } stixId)
                {
                    tacticStixIds[stixId] = tactic;
                }
            }
            else if (type == "x-mitre-matrix" && matrixOrder.Count == 0 && item.TryGetProperty("tactic_refs", out var refs) && refs.ValueKind == JsonValueKind.Array)
            {
                matrixOrder.AddRange(refs.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!));
            }
            else if (type == "attack-pattern" && AttackId(item) is { } techniqueId)
            {
                var phases = item.TryGetProperty("kill_chain_phases", out var chain) && chain.ValueKind == JsonValueKind.Array
                    ? chain.EnumerateArray().Where(p => Text(p, "kill_chain_name") == "mitre-attack").Select(p => Text(p, "phase_name")).OfType<string>().ToList()
                    : [];
                patterns.Add((Text(item, "id")!, techniqueId, Text(item, "name") ?? techniqueId, phases,
                    Flag(item, "revoked"), Flag(item, "x_mitre_deprecated")));
            }
            else if (type == "relationship" && Text(item, "relationship_type") == "revoked-by"
                     && Text(item, "source_ref") is { } source && Text(item, "target_ref") is { } target)
            {
                revokedBy[source] = target;
            }
        }
        var idsByStix = patterns.ToDictionary(p => p.StixId, p => p.Id, StringComparer.Ordinal);
        var techniques = patterns.Select(p => new Technique(
            p.Id, p.Name,
            p.Phases.Select(phase => tactics.GetValueOrDefault(phase)).OfType<Tactic>().ToList(),
            p.Revoked, p.Deprecated,
            revokedBy.TryGetValue(p.StixId, out var replacement) ? idsByStix.GetValueOrDefault(replacement) : null));
        var ordered = matrixOrder.Select(id => tacticStixIds.GetValueOrDefault(id)).OfType<Tactic>().Distinct().ToList();
        ordered.AddRange(tactics.Values.Except(ordered).OrderBy(t => t.Id, StringComparer.Ordinal));
        return new AttackCatalog(techniques, ordered);
    }

    private static string? AttackId(JsonElement item) =>
        item.TryGetProperty("external_references", out var references) && references.ValueKind == JsonValueKind.Array
            ? references.EnumerateArray().Where(r => Text(r, "source_name") == "mitre-attack").Select(r => Text(r, "external_id")).FirstOrDefault(id => id is not null)
            : null;

    private static string? Text(JsonElement item, string name) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool Flag(JsonElement item, string name) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}
