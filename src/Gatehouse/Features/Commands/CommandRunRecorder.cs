using Gatehouse.Storage;

namespace Gatehouse.Features.Commands;

/// <summary>
/// Records remote-command runs with group commit: a run is stored before its answer is sent, but
/// concurrent runs share one commit instead of paying one each.
/// </summary>
public sealed partial class CommandRunRecorder(IServiceScopeFactory scopes, ILogger<CommandRunRecorder> logger)
    : GroupCommitWriter<CommandRunRecorder.PendingRun>(capacity: 10_000, maxBatch: 512)
{
    public sealed record PendingRun(CommandRun Run, TaskCompletionSource Done);

    private RowInserter<CommandRun>? _runs;

    /// <summary>Returns once the run is stored (or could not be, which is logged: the command's answer does not depend on it).</summary>
    public Task RecordAsync(CommandRun run)
    {
        var pending = new PendingRun(run, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (TryEnqueue(pending))
        {
            return pending.Done.Task;
        }
        LogNotRecorded(logger, run.Command, "the queue is full or the node is stopping", null);
        return Task.CompletedTask;
    }

    protected override async Task CommitAsync(IReadOnlyList<PendingRun> batch)
    {
        try
        {
            await RowInserts.InTransactionAsync(scopes, (db, connection, transaction) =>
            {
                _runs ??= new RowInserter<CommandRun>(db);
                return _runs.InsertAsync(connection, transaction, batch.Select(p => p.Run), CancellationToken.None);
            });
        }
        catch (Exception ex)
        {
            LogNotRecorded(logger, $"{batch.Count} runs", "the database refused them", ex);
        }
        foreach (var pending in batch)
        {
            pending.Done.TrySetResult();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Command run record(s) not stored ({Command}): {Why}")]
    private static partial void LogNotRecorded(ILogger logger, string command, string why, Exception? exception);
}
