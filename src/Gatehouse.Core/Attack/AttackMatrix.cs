namespace Gatehouse.Core.Attack;

/// <summary>A technique detected in a time range: how many events showed it or (for a technique) any of its sub-techniques.</summary>
public sealed record MatrixCell(string Id, string Name, int Events, IReadOnlyList<MatrixCell> SubTechniques);

/// <summary>One tactic's column: events tagged with the tactic alone, and its detected techniques, most events first.</summary>
public sealed record MatrixColumn(string TacticId, string TacticName, int TacticOnlyEvents, IReadOnlyList<MatrixCell> Techniques);

/// <summary>
/// The ATT&amp;CK matrix of what was detected: the catalogue's tactics in matrix order, each with the techniques found in
/// events; <see cref="NotInCatalog"/> holds IDs the loaded catalogue does not know (a newer version's).
/// </summary>
public sealed record AttackMatrix(int Events, IReadOnlyList<MatrixColumn> Columns, IReadOnlyList<MatrixCell> NotInCatalog)
{
    /// <summary>
    /// Builds the matrix from each event's technique and tactic IDs. An event counts once in a cell however often it
    /// names it; a technique's count includes events that show only one of its sub-techniques; a technique with several
    /// tactics appears in each of their columns. Revoked IDs count for their replacement.
    /// </summary>
    public static AttackMatrix Build(AttackCatalog catalog, IEnumerable<IReadOnlyCollection<string>> eventTechniques)
    {
        var byTechnique = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var byParent = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var byTactic = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var unknown = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var events = 0;
        foreach (var ids in eventTechniques)
        {
            events++;
            var techniques = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var tactics = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var raw in ids)
            {
                var id = raw.Trim().ToUpperInvariant();
                if (id.StartsWith("TA", StringComparison.Ordinal))
                {
                    if (catalog.Tactic(id) is not null) tactics.Add(id); else techniques.Add(id);
                }
                else
                {
                    techniques.Add(catalog.Technique(id)?.Id ?? id);
                }
            }
            foreach (var id in techniques)
            {
                if (catalog.Technique(id) is null)
                {
                    Increment(unknown, id);
                    continue;
                }
                Increment(byTechnique, id);
            }
            foreach (var parent in techniques.Where(id => catalog.Technique(id) is not null).Select(ParentOf).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                Increment(byParent, parent);
            }
            foreach (var tactic in tactics)
            {
                Increment(byTactic, tactic);
            }
        }
        var columns = catalog.MatrixTactics.Select(tactic => new MatrixColumn(tactic.Id, tactic.Name, byTactic.GetValueOrDefault(tactic.Id),
            byParent.Keys
                .Select(catalog.Technique).OfType<Technique>()
                .Where(t => t.Tactics.Any(x => string.Equals(x.Id, tactic.Id, StringComparison.OrdinalIgnoreCase)))
                .Select(t => new MatrixCell(t.Id, t.Name, byParent[t.Id], SubTechniquesOf(catalog, t.Id, byTechnique)))
                .OrderByDescending(c => c.Events).ThenBy(c => c.Id, StringComparer.Ordinal).ToList()))
            .ToList();
        var notInCatalog = unknown.Select(u => new MatrixCell(u.Key, u.Key, u.Value, []))
            .OrderByDescending(c => c.Events).ThenBy(c => c.Id, StringComparer.Ordinal).ToList();
        return new AttackMatrix(events, columns, notInCatalog);
    }

    /// <summary>T1059.001's parent is T1059; a technique is its own.</summary>
    public static string ParentOf(string id) => id.IndexOf('.', StringComparison.Ordinal) is var dot and > 0 ? id[..dot] : id;

    private static IReadOnlyList<MatrixCell> SubTechniquesOf(AttackCatalog catalog, string parent, Dictionary<string, int> byTechnique) =>
        byTechnique.Where(t => t.Key.StartsWith(parent + ".", StringComparison.OrdinalIgnoreCase))
            .Select(t => new MatrixCell(t.Key, catalog.Technique(t.Key)?.Name ?? t.Key, t.Value, []))
            .OrderByDescending(c => c.Events).ThenBy(c => c.Id, StringComparer.Ordinal).ToList();

    private static void Increment(Dictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;
}
