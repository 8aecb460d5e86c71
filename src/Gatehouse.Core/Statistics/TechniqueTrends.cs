namespace Gatehouse.Core.Statistics;

/// <summary>One of the most-seen techniques: its events in the window and per bucket.</summary>
public sealed record TechniqueTrend(string Id, string? Name, int Events, IReadOnlyList<int> PerBucket);

/// <summary>The techniques seen in the most events over a window, with their counts per bucket (an event counts once per technique).</summary>
public static class TechniqueTrends
{
    public static IReadOnlyList<TechniqueTrend> Top(
        TimeWindow window, IEnumerable<(DateTimeOffset At, IReadOnlyCollection<(string Id, string? Name)> Techniques)> events, int count)
    {
        var perBucket = new Dictionary<string, int[]>(StringComparer.OrdinalIgnoreCase);
        var names = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (at, techniques) in events)
        {
            if (window.IndexOf(at) is not { } bucket)
            {
                continue;
            }
            foreach (var (id, name) in techniques.DistinctBy(t => t.Id, StringComparer.OrdinalIgnoreCase))
            {
                if (!perBucket.TryGetValue(id, out var counts))
                {
                    perBucket[id] = counts = new int[window.Count];
                    names[id] = name;
                }
                counts[bucket]++;
            }
        }
        return perBucket.Select(p => new TechniqueTrend(p.Key, names[p.Key], p.Value.Sum(), p.Value))
            .OrderByDescending(t => t.Events).ThenBy(t => t.Id, StringComparer.Ordinal).Take(count).ToList();
    }
}
