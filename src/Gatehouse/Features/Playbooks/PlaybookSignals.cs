using System.Diagnostics.Metrics;

namespace Gatehouse.Features.Playbooks;

/// <summary>Wakes the playbook engine when a run is queued on this node (other nodes' runs are found by polling).</summary>
public sealed class PlaybookSignals : Processing.WakeUpSignal;

/// <summary>Playbook metrics, exported at /metrics with the rest of Gatehouse's meters.</summary>
public sealed class PlaybookMetrics
{
    public const string MeterName = "Gatehouse.Playbooks";

    private readonly Counter<long> _started;
    private readonly Counter<long> _finished;
    private readonly Histogram<double> _taskDuration;

    public PlaybookMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _started = meter.CreateCounter<long>("gatehouse.playbook.runs.started", description: "Playbook runs started");
        _finished = meter.CreateCounter<long>("gatehouse.playbook.runs.finished", description: "Playbook runs finished, by outcome");
        _taskDuration = meter.CreateHistogram<double>("gatehouse.playbook.task.duration", unit: "s", description: "Playbook task run time, by outcome");
    }

    public void RunStarted(string playbook) => _started.Add(1, new KeyValuePair<string, object?>("playbook", playbook));

    public void RunFinished(string playbook, string outcome) =>
        _finished.Add(1, new("playbook", playbook), new("outcome", outcome));

    public void TaskRan(string command, string outcome, TimeSpan duration) =>
        _taskDuration.Record(duration.TotalSeconds, new("command", command), new("outcome", outcome));
}
