namespace Gatehouse.Core.Playbooks;

public enum TaskState { Pending, Running, Succeeded, Failed, Skipped, Cancelled }

public enum RunState { Queued, Running, Succeeded, Failed, Cancelled }

/// <summary>A task's state as the planner needs it; <paramref name="NotBefore"/> holds a retry back.</summary>
public sealed record TaskProgress(TaskState State, DateTimeOffset? NotBefore = null);

/// <summary>What to do next with a run.</summary>
public sealed record PlaybookStep(
    IReadOnlyList<string> Start, IReadOnlyList<string> Cancel, RunState? Outcome, DateTimeOffset? WakeAt);

/// <summary>
/// Decides what runs next, from the definition and the tasks' states alone. A task starts when each
/// task it waits for succeeded, was skipped, or failed with <c>onError: continue</c>. A task that
/// fails with <c>onError: stop</c> stops the run: nothing new starts, what is pending is cancelled,
/// and the run fails once running tasks end. A run succeeds when every task has ended otherwise.
/// </summary>
public static class PlaybookPlanner
{
    public static PlaybookStep Next(PlaybookDefinition playbook, IReadOnlyDictionary<string, TaskProgress> tasks, DateTimeOffset now)
    {
        var stopped = playbook.Tasks.Any(t => tasks[t.Id].State == TaskState.Failed && t.OnError == TaskErrorMode.Stop);
        var running = playbook.Tasks.Any(t => tasks[t.Id].State == TaskState.Running);
        var pending = playbook.Tasks.Where(t => tasks[t.Id].State == TaskState.Pending).ToList();
        if (stopped)
        {
            return new PlaybookStep([], pending.Select(t => t.Id).ToList(), running ? null : RunState.Failed, null);
        }
        var start = new List<string>();
        DateTimeOffset? wake = null;
        foreach (var task in pending.Where(t => t.After.All(dependency => Satisfied(playbook.Task(dependency), tasks[dependency]))))
        {
            if (tasks[task.Id].NotBefore is { } notBefore && notBefore > now)
            {
                wake = wake is null || notBefore < wake ? notBefore : wake;
                continue;
            }
            start.Add(task.Id);
        }
        var done = pending.Count == 0 && !running;
        return new PlaybookStep(start, [], done ? RunState.Succeeded : null, wake);
    }

    private static bool Satisfied(PlaybookTask dependency, TaskProgress progress) => progress.State switch
    {
        TaskState.Succeeded or TaskState.Skipped => true,
        TaskState.Failed => dependency.OnError == TaskErrorMode.Continue,
        _ => false,
    };

    /// <summary>The delay before retry <paramref name="attempt"/> (1-based): the task's delay, doubled each time, at most an hour.</summary>
    public static TimeSpan Backoff(PlaybookTask task, int attempt) =>
        TimeSpan.FromSeconds(Math.Min(3600, task.RetryDelaySeconds * Math.Pow(2, Math.Max(0, attempt - 1))));
}
