using System.Text.Json;
using Gatehouse.Core.Attack;
using Gatehouse.Core.Statistics;
using Gatehouse.Features.Attack;
using Gatehouse.Features.Intake;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Statistics;

/// <summary>A failure reason, its count in the window and per bucket.</summary>
public sealed record FailureReasonCount(string Reason, int Count, IReadOnlyList<int> PerBucket);

/// <summary>What is waiting now: received and not yet claimed, and being processed.</summary>
public sealed record BacklogNow(int Pending, int Processing);

/// <summary>
/// The dashboard's figures for a window, per bucket (<see cref="Buckets"/> are their UTC starts): requests received and
/// processed, events created, the backlog at each bucket's end; failures by reason and the most-seen techniques.
/// Failures and techniques are read from at most <see cref="StatisticsQueries.MaxRowsRead"/> rows each, newest first:
/// <see cref="FailuresCapped"/> and <see cref="TechniquesCapped"/> say when a window had more.
/// </summary>
public sealed record DashboardView(
    DateTimeOffset From, DateTimeOffset To, string Bucket, IReadOnlyList<DateTimeOffset> Buckets,
    IReadOnlyList<int> Received, IReadOnlyList<int> Processed, IReadOnlyList<int> EventsCreated, IReadOnlyList<int> Backlog,
    BacklogNow Now, int Quarantined, IReadOnlyList<FailureReasonCount> Failures, bool FailuresCapped,
    IReadOnlyList<TechniqueTrend> Techniques, bool TechniquesCapped);

/// <summary>The ATT&amp;CK matrix of a window's events (<see cref="Capped"/>: only the newest <see cref="StatisticsQueries.MaxRowsRead"/> were read).</summary>
public sealed record AttackMatrixView(DateTimeOffset From, DateTimeOffset To, AttackMatrix Matrix, bool Capped);

/// <summary>
/// Reads the dashboard's figures with counts the indexes answer (received per site and time, processed by time, events
/// per site and time) and two bounded reads (failing ingestions' logs, events' techniques); the sums and series are Core's.
/// </summary>
public sealed class StatisticsQueries(GatehouseDb db, AttackContent attack, StatisticsGate gate)
{
    public const int MaxRowsRead = 20_000;
    private const int TopReasons = 6, TopTechniques = 5;

    /// <summary>The dashboard's figures, or null when too many statistics reads are waiting (see <see cref="StatisticsGate"/>).</summary>
    public Task<DashboardView?> DashboardAsync(TimeWindow window, IReadOnlySet<int> sites, CancellationToken cancellationToken) =>
        gate.RunAsync(() => ReadDashboardAsync(window, sites, cancellationToken), cancellationToken);

    /// <summary>The ATT&amp;CK matrix, or null when too many statistics reads are waiting (see <see cref="StatisticsGate"/>).</summary>
    public Task<AttackMatrixView?> MatrixAsync(TimeWindow window, IReadOnlySet<int> sites, CancellationToken cancellationToken) =>
        gate.RunAsync(() => ReadMatrixAsync(window, sites, cancellationToken), cancellationToken);

    private async Task<DashboardView> ReadDashboardAsync(TimeWindow window, IReadOnlySet<int> sites, CancellationToken cancellationToken)
    {
        var ingestions = db.Ingestions.AsNoTracking().Where(i => sites.Contains(i.SiteId));
        var events = db.CurrentEvents.Where(e => sites.Contains(e.SiteId));
        var received = new List<int>();
        var processed = new List<int>();
        var created = new List<int>();
        foreach (var start in window.Starts)
        {
            var end = start + window.Bucket;
            received.Add(await ingestions.CountAsync(i => i.ReceivedAt >= start && i.ReceivedAt < end, cancellationToken));
            processed.Add(await ingestions.CountAsync(i => i.ProcessedAt >= start && i.ProcessedAt < end, cancellationToken));
            created.Add(await events.CountAsync(e => e.CreatedAt >= start && e.CreatedAt < end, cancellationToken));
        }
        var receivedAfter = await ingestions.CountAsync(i => i.ReceivedAt >= window.To, cancellationToken);
        var processedAfter = await ingestions.CountAsync(i => i.ProcessedAt >= window.To, cancellationToken);
        var waiting = await ingestions.Where(i => i.Status == IngestionStatus.Pending || i.Status == IngestionStatus.Processing)
            .GroupBy(i => i.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var now = new BacklogNow(waiting.FirstOrDefault(w => w.Key == IngestionStatus.Pending)?.Count ?? 0,
            waiting.FirstOrDefault(w => w.Key == IngestionStatus.Processing)?.Count ?? 0);
        var backlog = Backlog.AtBucketEnds(now.Pending + now.Processing, received, receivedAfter, processed, processedAfter);
        var quarantined = await ingestions.CountAsync(i => i.Status == IngestionStatus.Failed && i.ReceivedAt >= window.From && i.ReceivedAt < window.To, cancellationToken);
        var (failures, failuresCapped) = await FailuresAsync(window, ingestions, cancellationToken);
        var (techniques, techniquesCapped) = await TechniquesAsync(window, events, cancellationToken);
        return new DashboardView(window.From, window.To, window.IsHourly ? "hour" : "day", window.Starts, received, processed, created, backlog,
            now, quarantined, failures, failuresCapped,
            TechniqueTrends.Top(window, techniques.Select(t => (t.At, (IReadOnlyCollection<(string, string?)>)t.Techniques)), TopTechniques), techniquesCapped);
    }

    private async Task<AttackMatrixView> ReadMatrixAsync(TimeWindow window, IReadOnlySet<int> sites, CancellationToken cancellationToken)
    {
        var (events, capped) = await TechniquesAsync(window, db.CurrentEvents.Where(e => sites.Contains(e.SiteId)), cancellationToken);
        var matrix = AttackMatrix.Build(attack.Catalog, events.Select(e => (IReadOnlyCollection<string>)e.Techniques.Select(t => t.Id).ToList()));
        return new AttackMatrixView(window.From, window.To, matrix, capped);
    }

    /// <summary>Each error of a failing ingestion (quarantined, or with items that failed) is one failure, by its reason.</summary>
    private static async Task<(IReadOnlyList<FailureReasonCount>, bool)> FailuresAsync(TimeWindow window, IQueryable<Ingestion> ingestions, CancellationToken cancellationToken)
    {
        var rows = await ingestions
            .Where(i => i.ReceivedAt >= window.From && i.ReceivedAt < window.To && i.LogJson != null
                        && (i.Status == IngestionStatus.Failed || i.LogJson.Contains("\"errors\":[{")))
            .OrderByDescending(i => i.ReceivedAt).Take(MaxRowsRead + 1)
            .Select(i => new { i.ReceivedAt, i.LogJson }).ToListAsync(cancellationToken);
        var counts = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var row in rows.Take(MaxRowsRead))
        {
            if (window.IndexOf(row.ReceivedAt) is not { } bucket)
            {
                continue;
            }
            foreach (var error in IngestionLogJson.Deserialize(row.LogJson).Errors)
            {
                var reason = FailureReasons.Classify(error.Message);
                if (!counts.TryGetValue(reason, out var perBucket))
                {
                    counts[reason] = perBucket = new int[window.Count];
                }
                perBucket[bucket]++;
            }
        }
        var ranked = counts.Select(c => new FailureReasonCount(c.Key, c.Value.Sum(), c.Value)).OrderByDescending(c => c.Count).ThenBy(c => c.Reason, StringComparer.Ordinal).ToList();
        if (ranked.Count > TopReasons)
        {
            var rest = ranked.Skip(TopReasons - 1).ToList();
            ranked = [.. ranked.Take(TopReasons - 1), new FailureReasonCount("Other reasons",
                rest.Sum(r => r.Count), Enumerable.Range(0, window.Count).Select(i => rest.Sum(r => r.PerBucket[i])).ToList())];
        }
        return (ranked, rows.Count > MaxRowsRead);
    }

    private static async Task<(List<(DateTimeOffset At, List<(string Id, string? Name)> Techniques)>, bool)> TechniquesAsync(
        TimeWindow window, IQueryable<Event> events, CancellationToken cancellationToken)
    {
        var rows = await events.Where(e => e.CreatedAt >= window.From && e.CreatedAt < window.To && e.TechniquesJson != null && e.TechniquesJson != "[]")
            .OrderByDescending(e => e.CreatedAt).Take(MaxRowsRead + 1)
            .Select(e => new { e.CreatedAt, e.TechniquesJson }).ToListAsync(cancellationToken);
        return (rows.Take(MaxRowsRead).Select(r => (r.CreatedAt, Read(r.TechniquesJson!))).ToList(), rows.Count > MaxRowsRead);
    }

    /// <summary>The IDs and names of an event's stored technique matches.</summary>
    private static List<(string Id, string? Name)> Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind != JsonValueKind.Array ? [] : document.RootElement.EnumerateArray()
            .Where(m => m.ValueKind == JsonValueKind.Object && m.TryGetProperty("techniqueId", out var id) && id.ValueKind == JsonValueKind.String)
            .Select(m => (m.GetProperty("techniqueId").GetString()!,
                m.TryGetProperty("techniqueName", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null))
            .ToList();
    }
}
