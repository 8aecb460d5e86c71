using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Gatehouse.Bench.Http;

/// <summary>What the server says at one instant: events processed so far and the backlog, from /metrics and from its database.</summary>
public sealed record ProcessingSnapshot(TimeSpan At, MetricValue? Processed, MetricValue? Backlog, IngestionCounts? Database);

/// <summary>One figure read from /metrics: the Prometheus name it was found under and its value (summed over label sets).</summary>
public sealed record MetricValue(string Name, double Value);

/// <summary>Ingestions by state, counted in the database: Processed, and Pending + Processing (the backlog).</summary>
public sealed record IngestionCounts(TimeSpan At, long Processed, long Backlog);

/// <summary>Processing over a load window: events processed per second, the backlog at its end and its change, and where the figures came from.</summary>
public sealed record ProcessingFigures(double? EventsPerSecond, long? Backlog, long? BacklogGrowth, string Source)
{
    /// <summary>
    /// Prefers /metrics (the processed-events counter, the backlog gauge), falling back figure by figure to the database.
    /// A counter absent at the start but present at the end had not counted anything yet (OpenTelemetry exports a counter from its first measurement).
    /// </summary>
    public static ProcessingFigures Between(ProcessingSnapshot start, ProcessingSnapshot end)
    {
        double? rate = null;
        string processedSource;
        if (end.Processed is not null)
        {
            rate = (end.Processed.Value - (start.Processed?.Value ?? 0)) / (end.At - start.At).TotalSeconds;
            processedSource = $"processed from /metrics {end.Processed.Name}";
        }
        else if (start.Database is not null && end.Database is not null)
        {
            rate = (end.Database.Processed - start.Database.Processed) / (end.Database.At - start.Database.At).TotalSeconds;
            processedSource = "processed from the DB (Ingestions turned Processed; /metrics has no processed-events counter)";
        }
        else
        {
            processedSource = "processed: no source";
        }
        long? backlog = null, growth = null;
        string backlogSource;
        if (start.Backlog is not null && end.Backlog is not null)
        {
            backlog = (long)end.Backlog.Value;
            growth = backlog - (long)start.Backlog.Value;
            backlogSource = $"backlog from /metrics {end.Backlog.Name}";
        }
        else if (start.Database is not null && end.Database is not null)
        {
            backlog = end.Database.Backlog;
            growth = backlog - start.Database.Backlog;
            backlogSource = "backlog from the DB (Pending + Processing; /metrics has no backlog gauge)";
        }
        else
        {
            backlogSource = "backlog: no source";
        }
        return new ProcessingFigures(rate, backlog, growth, $"{processedSource}; {backlogSource}");
    }
}

/// <summary>Reads a Gatehouse node's processing figures from its /metrics endpoint and, when it knows it, from its database.</summary>
public sealed partial class ProcessingProbe(string baseUrl, Func<DbConnection>? database) : IDisposable
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();
    private readonly HttpClient _http = new() { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(10) };

    public static ProcessingProbe Sqlite(string baseUrl, string file) =>
        new(baseUrl, () => new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()));

    public static ProcessingProbe Postgres(string baseUrl, string connectionString) =>
        new(baseUrl, () => new NpgsqlConnection(connectionString + ";Pooling=false"));

    public async Task<ProcessingSnapshot> ReadAsync()
    {
        var at = Clock.Elapsed;
        var text = await _http.GetStringAsync("/metrics");
        MetricValue? processed = null, backlog = null;
        foreach (Match sample in Sample().Matches(text))
        {
            var name = sample.Groups["name"].Value;
            var value = double.Parse(sample.Groups["value"].Value, CultureInfo.InvariantCulture);
            if (ProcessedName().IsMatch(name))
            {
                processed = new MetricValue(name, (processed?.Value ?? 0) + value);
            }
            else if (BacklogName().IsMatch(name))
            {
                backlog = new MetricValue(name, (backlog?.Value ?? 0) + value);
            }
        }
        return new ProcessingSnapshot(at, processed, backlog, database is null ? null : await CountAsync());
    }

    /// <summary>Ingestions by Status; the column holds the enum's name (Pending, Processing, Processed, Failed), or its number on an older schema.</summary>
    private async Task<IngestionCounts> CountAsync()
    {
        var at = Clock.Elapsed;
        await using var connection = database!();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"Status\", COUNT(*) FROM \"Ingestions\" GROUP BY \"Status\"";
        long processed = 0, backlog = 0;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var status = Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture);
            var count = Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
            switch (status)
            {
                case "Pending" or "Processing" or "0" or "1":
                    backlog += count;
                    break;
                case "Processed" or "2":
                    processed += count;
                    break;
            }
        }
        return new IngestionCounts(at, processed, backlog);
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(?<value>[-+0-9.eE]+|NaN)(?:\s+\d+)?\s*$", RegexOptions.Multiline)]
    private static partial Regex Sample();

    /// <summary><c>gatehouse.intake.events.processed</c> as Prometheus names it: <c>_total</c>, perhaps after a unit suffix.</summary>
    [GeneratedRegex(@"^gatehouse_intake_events_processed(?:_events)?(?:_total)?$")]
    private static partial Regex ProcessedName();

    /// <summary><c>gatehouse.intake.backlog</c>, perhaps with a unit suffix.</summary>
    [GeneratedRegex(@"^gatehouse_intake_backlog(?:_ingestions|_events)?$")]
    private static partial Regex BacklogName();
}
