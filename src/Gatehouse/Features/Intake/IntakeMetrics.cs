using System.Diagnostics.Metrics;

namespace Gatehouse.Features.Intake;

/// <summary>Intake metrics: commit queue depth, backlog, commit batch size and latency, and requests refused with 503.</summary>
public sealed class IntakeMetrics
{
    public const string MeterName = "Gatehouse.Intake";

    private readonly Meter _meter;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _commitDuration;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _quarantined;
    private readonly Counter<long> _processed;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _events;
    private readonly Counter<long> _deduplicated;
    private readonly Counter<long> _techniques;

    public IntakeMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _batchSize = _meter.CreateHistogram<int>("gatehouse.intake.commit.batch_size", description: "Requests stored by one commit",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] });
        _commitDuration = _meter.CreateHistogram<double>("gatehouse.intake.commit.duration", unit: "s", description: "Time to commit and flush one batch",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });
        _refused = _meter.CreateCounter<long>("gatehouse.intake.refused", description: "Intake requests answered 503, by reason");
        _quarantined = _meter.CreateCounter<long>("gatehouse.intake.quarantined", description: "Ingestions ended Failed after their processing failed or was interrupted too often");
        _processed = _meter.CreateCounter<long>("gatehouse.intake.processed", unit: "{ingestion}", description: "Ingestions processed");
        _failed = _meter.CreateCounter<long>("gatehouse.intake.failed", unit: "{ingestion}", description: "Processing attempts that failed (retried, or quarantined once attempts run out)");
        _events = _meter.CreateCounter<long>("gatehouse.intake.events.processed", unit: "{event}", description: "Events created by processing");
        _deduplicated = _meter.CreateCounter<long>("gatehouse.intake.events.deduplicated", unit: "{event}", description: "Items linked to an event with the same External ID instead of creating one");
        _techniques = _meter.CreateCounter<long>("gatehouse.intake.techniques.found", unit: "{technique}", description: "ATT&CK techniques the TTP search found on new events");
    }

    public void ObserveQueue(Func<int> depth) =>
        _meter.CreateObservableGauge("gatehouse.intake.queue.depth", depth, description: "Requests waiting for their commit on this node");

    public void ObserveBacklog(Func<long> backlog) =>
        _meter.CreateObservableGauge("gatehouse.intake.backlog", backlog, description: "Stored ingestions not yet processed (all nodes), as last counted");

    public void Committed(int requests, TimeSpan duration)
    {
        _batchSize.Record(requests);
        _commitDuration.Record(duration.TotalSeconds);
    }

    public void Refused(string reason) => _refused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Processing outcomes, counted where the processor applies a plan or records a failure.</summary>
    public void Quarantined(int count) => _quarantined.Add(count);

    public void Failed() => _failed.Add(1);

    public void Processed(Core.Intake.BatchPlan plan)
    {
        _processed.Add(plan.Logs.Count);
        _events.Add(plan.Events.Count);
        _deduplicated.Add(plan.Deduplicated);
        _techniques.Add(plan.Techniques);
    }
}
