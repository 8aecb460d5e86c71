namespace Gatehouse.Infrastructure;

/// <summary>Counts in words, for refusals that say what is left ("2 keys, 1 event").</summary>
public static class Counted
{
    public static List<string> Describe(IEnumerable<(int Count, string One, string Many)> counts) =>
        counts.Where(c => c.Count > 0).Select(c => Of(c.Count, c.One, c.Many)).ToList();

    /// <summary>"1 event", "2 events", "0 events".</summary>
    public static string Of(long count, string one, string many) => $"{count} {(count == 1 ? one : many)}";
}
