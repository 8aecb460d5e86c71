namespace Gatehouse.Infrastructure;

/// <summary>Counts in words, for refusals that say what is left ("2 keys, 1 event").</summary>
public static class Counted
{
    public static List<string> Describe(IEnumerable<(int Count, string One, string Many)> counts) =>
        counts.Where(c => c.Count > 0).Select(c => $"{c.Count} {(c.Count == 1 ? c.One : c.Many)}").ToList();
}
