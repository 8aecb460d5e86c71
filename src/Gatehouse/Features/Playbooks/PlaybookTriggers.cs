using Gatehouse.Core.Playbooks;
using Gatehouse.Storage;

namespace Gatehouse.Features.Playbooks;

/// <summary>
/// Starts playbook runs from what happens elsewhere: a new event of a key with an event playbook, an
/// incident created by intake, by an escalation rule or by CreateIncident. The run and its tasks are
/// added to the caller's unit of work, so they are stored together with the event or incident.
/// </summary>
public sealed partial class PlaybookTriggers(PlaybookLibrary library, PlaybookSignals signals, TimeProvider time, ILogger<PlaybookTriggers> logger)
{
    /// <summary>Adds a queued run to <paramref name="db"/> (saved with the caller's changes), or says why it cannot start.</summary>
    public async Task<(PlaybookRun? Run, string? Problem)> QueueAsync(
        GatehouseDb db, string playbookName, Event? evt, Incident? incident, int siteId, string trigger, CancellationToken cancellationToken)
    {
        var kind = evt is not null ? PlaybookKind.Event : PlaybookKind.Incident;
        var playbook = await library.FindAsync(db, playbookName, cancellationToken);
        var problem = playbook is null ? $"there is no playbook '{playbookName}'"
            : playbook.Kind != kind ? $"'{playbook.Name}' is an {playbook.Kind} playbook, not an {kind} playbook" : null;
        if (problem is not null)
        {
            LogNotStarted(logger, playbookName, trigger, problem);
            return (null, problem);
        }
        var now = time.GetUtcNow();
        var id = Guid.NewGuid().ToString("N");
        var run = new PlaybookRun
        {
            Id = id,
            PlaybookId = playbook!.PlaybookId,
            PlaybookVersionId = playbook.VersionId,
            PlaybookName = playbook.Name,
            Version = playbook.Version,
            Kind = kind,
            Event = evt,
            Incident = incident,
            SiteId = siteId,
            Trigger = trigger.Length > 200 ? trigger[..200] : trigger,
            Status = RunState.Queued,
            CreatedAt = now,
            Tasks = playbook.Definition.Tasks.Select(t => new PlaybookTaskRun { RunId = id, TaskId = t.Id, Status = TaskState.Pending }).ToList(),
        };
        db.PlaybookRuns.Add(run);
        return (run, null);
    }

    /// <summary>Call once the queued runs are saved.</summary>
    public void Saved() => signals.WorkArrived();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Playbook {Playbook} not started for {Trigger}: {Problem}")]
    private static partial void LogNotStarted(ILogger logger, string playbook, string trigger, string problem);
}
