using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Playbooks;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Playbooks;

/// <summary>
/// Drives one claimed run to its end: asks the planner what may start, checks each task's
/// <c>when</c>, renders its parameters, runs it through the command executor, and stores every
/// change of state as it happens (renewing the lease with each save). Tasks found running when the
/// run is picked up again (the node died) are retried if they have retries left, else failed.
/// </summary>
public sealed partial class PlaybookRunDriver(
    GatehouseDb db,
    PlaybookLibrary library,
    PlaybookSecrets secrets,
    PlaybookTaskRunner runner,
    PlaybookMetrics metrics,
    IOptions<GatehouseOptions> options,
    TimeProvider time,
    ILogger<PlaybookRunDriver> logger,
    SemaphoreSlim taskSlots)
{
    private sealed record Running(Task<TaskOutcome> Outcome, TaskCommand? Command);

    public async Task DriveAsync(string runId, string claim, CancellationToken stoppingToken)
    {
        var run = await db.PlaybookRuns.Include(r => r.Tasks).FirstAsync(r => r.Id == runId, stoppingToken);
        if (run.ClaimedBy != claim)
        {
            return;
        }
        var playbook = await library.DefinitionAsync(db, run.PlaybookVersionId, stoppingToken);
        var evt = run.EventId is { } eventId ? await db.Events.AsNoTracking().FirstOrDefaultAsync(e => e.Id == eventId, stoppingToken) : null;
        var incident = run.IncidentId is { } incidentId
            ? await db.Incidents.AsNoTracking().Include(i => i.Events).FirstOrDefaultAsync(i => i.Id == incidentId, stoppingToken) : null;
        var context = PlaybookContext.Build(run, evt, incident);
        var tasks = run.Tasks.ToDictionary(t => t.TaskId, StringComparer.Ordinal);
        var now = time.GetUtcNow();
        if (run.Status == RunState.Queued)
        {
            run.Status = RunState.Running;
            run.StartedAt = now;
            metrics.RunStarted(run.PlaybookName);
        }
        foreach (var interrupted in run.Tasks.Where(t => t.Status == TaskState.Running))
        {
            Recover(interrupted, playbook.Task(interrupted.TaskId), now);
        }
        await SaveAsync(run);

        var running = new Dictionary<string, Running>(StringComparer.Ordinal);
        using var cancelRun = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var cancelling = false;
        try
        {
            while (true)
            {
                now = time.GetUtcNow();
                if (!cancelling && await CancelRequestedAsync(runId, stoppingToken))
                {
                    cancelling = true;
                    await cancelRun.CancelAsync();
                }
                var progress = tasks.ToDictionary(t => t.Key, t => new TaskProgress(t.Value.Status, t.Value.NotBefore), StringComparer.Ordinal);
                var step = PlaybookPlanner.Next(playbook, progress, now);
                var cancel = cancelling ? tasks.Values.Where(t => t.Status == TaskState.Pending).Select(t => t.TaskId).ToList() : step.Cancel;
                foreach (var id in cancel)
                {
                    End(tasks[id], TaskState.Cancelled, now, cancelling ? "The run was cancelled." : "Not run: an earlier task failed and stopped the run.");
                }
                if (running.Count == 0 && (cancelling || step.Outcome is not null))
                {
                    Finish(run, cancelling ? RunState.Cancelled : step.Outcome!.Value, now);
                    await SaveAsync(run);
                    return;
                }
                var replan = cancel.Count > 0;
                foreach (var id in cancelling ? [] : step.Start)
                {
                    var definition = playbook.Task(id);
                    var task = tasks[id];
                    if (definition.Condition is { } condition && !condition.Matches(PlaybookContext.Subject(context)))
                    {
                        End(task, TaskState.Skipped, now, null);
                        PlaybookContext.SetTask(context, task);
                        replan = true;
                        continue;
                    }
                    var input = PlaybookTemplates.Render(definition.Params, context) as JsonObject ?? [];
                    var command = await library.ResolveAsync(db, definition.Command, stoppingToken);
                    task.Status = TaskState.Running;
                    task.Attempts++;
                    task.StartedAt = now;
                    task.FinishedAt = null;
                    task.NotBefore = null;
                    task.InputJson = (command?.Command.Definition.Redacted(input) ?? input).ToJsonString();
                    running[id] = new Running(StartTask(run, definition, command, secrets.Reveal((JsonObject)input.DeepClone()), cancelRun.Token), command);
                }
                await SaveAsync(run);
                if (replan)
                {
                    continue;
                }
                await WaitAsync(running.Values.Select(r => r.Outcome), step.WakeAt, stoppingToken);
                foreach (var (id, done) in running.Where(r => r.Value.Outcome.IsCompleted).ToList())
                {
                    running.Remove(id);
                    var outcome = await done.Outcome;
                    Record(tasks[id], playbook.Task(id), done.Command, outcome, cancelling);
                    PlaybookContext.SetTask(context, tasks[id]);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await ReleaseAsync(run);
            throw;
        }
    }

    private Task<TaskOutcome> StartTask(PlaybookRun run, PlaybookTask definition, TaskCommand? command, JsonObject input, CancellationToken cancellationToken) =>
        Task.Run(async () =>
        {
            try
            {
                // A slot first: this is the queue that bounds how many tasks run at once.
                await taskSlots.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return new TaskOutcome(false, null, "Cancelled before it started.", TimeSpan.Zero);
            }
            try
            {
                return await runner.RunAsync(run, definition, command, input, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return new TaskOutcome(false, null, "Cancelled while running.", TimeSpan.Zero);
            }
            finally
            {
                taskSlots.Release();
            }
        }, CancellationToken.None);

    private void Record(PlaybookTaskRun task, PlaybookTask definition, TaskCommand? command, TaskOutcome outcome, bool cancelling)
    {
        var now = time.GetUtcNow();
        task.DurationMs = (long)outcome.Duration.TotalMilliseconds;
        task.OutputJson = outcome.Response is null ? null : JsonSerializer.Serialize(outcome.Response, GatehouseJson.Options);
        metrics.TaskRan(command?.Command.Definition.Name ?? definition.Command, outcome.Succeeded ? "succeeded" : "failed", outcome.Duration);
        if (outcome.Succeeded)
        {
            End(task, TaskState.Succeeded, now, null);
        }
        else if (cancelling)
        {
            End(task, TaskState.Cancelled, now, "The run was cancelled.");
        }
        else if (task.Attempts <= definition.Retries)
        {
            task.Status = TaskState.Pending;
            task.Error = outcome.Error;
            task.FinishedAt = now;
            task.NotBefore = now + PlaybookPlanner.Backoff(definition, task.Attempts);
        }
        else
        {
            End(task, TaskState.Failed, now, outcome.Error);
        }
    }

    /// <summary>A task that was running when its node stopped: retried if it has retries left, else failed.</summary>
    private void Recover(PlaybookTaskRun task, PlaybookTask definition, DateTimeOffset now)
    {
        LogRecovered(logger, task.RunId, task.TaskId, task.Attempts);
        if (task.Attempts <= definition.Retries)
        {
            task.Status = TaskState.Pending;
            task.Error = "Interrupted: the node running it stopped; retried.";
            task.NotBefore = now;
        }
        else
        {
            End(task, TaskState.Failed, now, "Interrupted: the node running it stopped, and it has no retries left.");
        }
    }

    private static void End(PlaybookTaskRun task, TaskState state, DateTimeOffset now, string? error)
    {
        task.Status = state;
        task.FinishedAt = now;
        task.NotBefore = null;
        task.Error = error;
    }

    private void Finish(PlaybookRun run, RunState outcome, DateTimeOffset now)
    {
        run.Status = outcome;
        run.FinishedAt = now;
        run.ClaimedBy = null;
        run.LeaseExpiresAt = null;
        var stopping = run.Tasks.FirstOrDefault(t => t.Status == TaskState.Failed);
        run.Error = outcome switch
        {
            RunState.Failed => $"Task '{stopping?.TaskId}' failed: {stopping?.Error}",
            RunState.Cancelled => "Cancelled.",
            _ => null,
        };
        metrics.RunFinished(run.PlaybookName, outcome.ToString());
        LogFinished(logger, run.Id, run.PlaybookName, outcome);
    }

    /// <summary>Each save renews the lease; it fails if another node has taken the run over (ClaimedBy is a concurrency token).</summary>
    private async Task SaveAsync(PlaybookRun run)
    {
        if (run.FinishedAt is null)
        {
            run.LeaseExpiresAt = time.GetUtcNow().AddSeconds(options.Value.Playbooks.LeaseSeconds);
        }
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>On shutdown the run is left for the next start, and its lease given up so that start need not wait for it.</summary>
    private async Task ReleaseAsync(PlaybookRun run)
    {
        try
        {
            run.LeaseExpiresAt = null;
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException)
        {
            LogReleaseFailed(logger, run.Id, ex);
        }
    }

    private Task<bool> CancelRequestedAsync(string runId, CancellationToken cancellationToken) =>
        db.PlaybookRuns.AsNoTracking().Where(r => r.Id == runId).Select(r => r.CancelRequested).FirstAsync(cancellationToken);

    /// <summary>Until a task ends, a retry is due, or it is time to renew the lease and look for a cancellation.</summary>
    private async Task WaitAsync(IEnumerable<Task<TaskOutcome>> running, DateTimeOffset? wakeAt, CancellationToken cancellationToken)
    {
        var renewal = TimeSpan.FromSeconds(options.Value.Playbooks.LeaseSeconds / 3.0);
        var delay = wakeAt is { } at && at - time.GetUtcNow() < renewal ? at - time.GetUtcNow() : renewal;
        var timer = Task.Delay(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, time, cancellationToken);
        await Task.WhenAny([.. running, timer]);
        cancellationToken.ThrowIfCancellationRequested();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Playbook run {RunId}: task {TaskId} was running when its node stopped (attempt {Attempts})")]
    private static partial void LogRecovered(ILogger logger, string runId, string taskId, int attempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Playbook run {RunId} of {Playbook} ended: {Outcome}")]
    private static partial void LogFinished(ILogger logger, string runId, string playbook, RunState outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Playbook run {RunId}: could not give up its lease on shutdown; it resumes when the lease runs out")]
    private static partial void LogReleaseFailed(ILogger logger, string runId, Exception exception);
}
