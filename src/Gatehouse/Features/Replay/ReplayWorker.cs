using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Features.Playbooks;
using Gatehouse.Infrastructure;
using Gatehouse.Processing;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Replay;

/// <summary>Wakes the replay worker when a job is queued on this node.</summary>
public sealed class ReplaySignals : WakeUpSignal;

/// <summary>Why a request could not be replayed, in words that name no data: our own messages, or the exception's type.</summary>
public static class ReplayProblems
{
    public static string Describe(Exception exception) => exception switch
    {
        Infrastructure.Sandbox.ScriptCrashedException or InvalidDataException => exception.Message,
        _ when DatabaseErrors.IsUniqueViolation(exception) => "An External ID the current definitions give is already another event's.",
        _ => exception.GetType().Name,
    };
}

/// <summary>
/// Carries out replay jobs. A job is claimed with a lease, worked oldest request first, one transaction
/// per request, with its progress and position saved after each: a node that stops hands the job on
/// (after Gatehouse:Intake:LeaseSeconds), and the next node resumes after the last request finished.
/// A job interrupted MaxAttempts times fails.
/// </summary>
public sealed partial class ReplayWorker(
    IServiceScopeFactory scopes, ReplaySignals signals, PlaybookSignals playbookSignals, TimeProvider time,
    Microsoft.Extensions.Options.IOptions<GatehouseOptions> options, ILogger<ReplayWorker> logger) : BackgroundService
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(2);
    private const int MaxProblems = 20;
    private const int MaxRevisits = 10_000;

    private TimeSpan Lease => TimeSpan.FromSeconds(options.Value.Intake.LeaseSeconds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        if (!options.Value.Intake.Process)
        {
            return;
        }
        await WorkLoop.RunAsync(async token =>
        {
            if (await ClaimAsync(token) is not { } claimed)
            {
                return false;
            }
            await RunAsync(claimed.Id, claimed.Claim, token);
            return true;
        }, signals, IdlePoll, ex => LogWorkerError(logger, ex), stoppingToken);
    }

    private async Task<(string Id, string Claim)?> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDb>();
        var now = time.GetUtcNow();
        var maxAttempts = options.Value.Intake.MaxAttempts;
        await db.ReplayJobs.Where(j => j.Status == ReplayJobStatus.Running && j.LeaseExpiresAt < now && j.Attempts >= maxAttempts)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, ReplayJobStatus.Failed)
                .SetProperty(j => j.FinishedAt, now)
                .SetProperty(j => j.ClaimedBy, (string?)null)
                .SetProperty(j => j.ActiveSlot, (int?)null)
                .SetProperty(j => j.Error, $"The job was interrupted {maxAttempts} times (the node stopped or crashed while replaying the request after its position); replays already done stay."),
                cancellationToken);
        return await WorkLeases.ClaimNextAsync(
            db.ReplayJobs,
            j => j.Status == ReplayJobStatus.Queued || (j.Status == ReplayJobStatus.Running && j.LeaseExpiresAt < now && j.Attempts < maxAttempts),
            query => query.OrderBy(j => j.CreatedAt),
            setters => setters.SetProperty(j => j.Status, ReplayJobStatus.Running).SetProperty(j => j.StartedAt, j => j.StartedAt ?? now),
            now.Add(Lease),
            cancellationToken);
    }

    private async Task RunAsync(string id, string claim, CancellationToken stoppingToken)
    {
        var revisited = new HashSet<string>(StringComparer.Ordinal);
        while (!stoppingToken.IsCancellationRequested)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<GatehouseDb>();
            var job = await db.ReplayJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id && j.ClaimedBy == claim, stoppingToken);
            if (job is null)
            {
                return;
            }
            if (job.CancelRequested)
            {
                await FinishAsync(db, job, claim, ReplayJobStatus.Cancelled, stoppingToken);
                return;
            }
            var filter = JsonSerializer.Deserialize<ReplayFilter>(job.FilterJson, GatehouseJson.Options)!;
            var statuses = filter.Status is { } status ? [Enum.Parse<IngestionStatus>(status)] : ReplayRequest.Replayable;
            var allSites = (await db.Sites.AsNoTracking().Select(s => s.Id).ToListAsync(stoppingToken)).ToHashSet();
            var query = ReplayPreparer.Matching(db, filter, statuses, allSites);
            if (job is { CursorReceivedAt: { } at, CursorRefid: { } after })
            {
                query = query.Where(i => i.ReceivedAt > at || (i.ReceivedAt == at && string.Compare(i.Id, after) > 0));
            }
            var next = await query.OrderBy(i => i.ReceivedAt).ThenBy(i => i.Id).FirstOrDefaultAsync(stoppingToken);
            if (next is null)
            {
                await FinishAsync(db, job, claim, ReplayJobStatus.Completed, stoppingToken);
                return;
            }
            var (outcome, problem, revisit) = await ReplayOneAsync(next, job, stoppingToken);
            await RevisitAsync(db, revisit, job, revisited, stoppingToken);
            var problems = problem is null ? null : AddProblem(job.ProblemsJson, next.Id, problem);
            var (changed, unchanged) = (outcome == ReplayWrite.Applied ? 1 : 0, outcome == ReplayWrite.Unchanged ? 1 : 0);
            var (skipped, failed) = problem is null ? (outcome == ReplayWrite.Skipped ? 1 : 0, 0) : (0, 1);
            var now = time.GetUtcNow();
            var saved = await db.ReplayJobs.Where(j => j.Id == id && j.ClaimedBy == claim).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Done, j => j.Done + 1)
                .SetProperty(j => j.Changed, j => j.Changed + changed)
                .SetProperty(j => j.Unchanged, j => j.Unchanged + unchanged)
                .SetProperty(j => j.Skipped, j => j.Skipped + skipped)
                .SetProperty(j => j.Failed, j => j.Failed + failed)
                .SetProperty(j => j.ProblemsJson, j => problems ?? j.ProblemsJson)
                .SetProperty(j => j.CursorReceivedAt, next.ReceivedAt)
                .SetProperty(j => j.CursorRefid, next.Id)
                .SetProperty(j => j.LeaseExpiresAt, now.Add(Lease)), CancellationToken.None);
            if (saved == 0)
            {
                LogJobLost(logger, id);
                return;
            }
        }
    }

    /// <summary>One request, in a scope of its own: prepared and written; a problem is recorded and the job goes on.</summary>
    private async Task<(ReplayWrite Outcome, string? Problem, IReadOnlyList<string> Revisit)> ReplayOneAsync(Ingestion row, ReplayJob job, CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        try
        {
            var prepared = await scope.ServiceProvider.GetRequiredService<ReplayPreparer>().PrepareAsync(row, stoppingToken);
            var written = await scope.ServiceProvider.GetRequiredService<ReplayWriter>()
                .ApplyAsync(prepared, job.RunPlaybooks, $"replay {job.Id[..8]} by {job.CreatedBy}", stoppingToken);
            if (written.Write == ReplayWrite.Applied && job.RunPlaybooks)
            {
                playbookSignals.WorkArrived();
            }
            return (written.Write, null, written.Revisit);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            LogReplayFailed(logger, row.Id, job.Id, ex);
            return (ReplayWrite.Skipped, ReplayProblems.Describe(ex), []);
        }
    }

    /// <summary>
    /// Requests the job already replayed whose events were superseded by an event that has since changed its External ID:
    /// replayed again at once, so one job leaves every request as the current definitions make it. Each at most once per run.
    /// </summary>
    private async Task RevisitAsync(GatehouseDb db, IReadOnlyList<string> refids, ReplayJob job, HashSet<string> revisited, CancellationToken stoppingToken)
    {
        var pending = new Queue<string>(refids);
        while (pending.TryDequeue(out var refid))
        {
            if (revisited.Count >= MaxRevisits || !revisited.Add(refid)
                || await db.Ingestions.AsNoTracking().FirstOrDefaultAsync(i => i.Id == refid && i.Status == IngestionStatus.Processed, stoppingToken) is not { } row)
            {
                continue;
            }
            LogRevisit(logger, refid, job.Id);
            foreach (var next in (await ReplayOneAsync(row, job, stoppingToken)).Revisit)
            {
                pending.Enqueue(next);
            }
        }
    }

    private static string? AddProblem(string json, string refid, string problem)
    {
        var problems = GatehouseJson.ParseStored(json) as JsonArray ?? [];
        if (problems.Count >= MaxProblems)
        {
            return null;
        }
        problems.Add(new JsonObject { ["refid"] = refid, ["problem"] = problem });
        return problems.ToJsonString();
    }

    private async Task FinishAsync(GatehouseDb db, ReplayJob job, string claim, ReplayJobStatus status, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var audit = new AuditEntry
        {
            At = now, LastAt = now, Action = Audit.AuditActions.ReplayFinished, ActorUserId = job.CreatedByUserId, Actor = $"replay job by {job.CreatedBy}",
            Target = job.Id, Reason = status.ToString(),
            DetailJson = JsonSerializer.Serialize(new { job.Total, job.Done, job.Changed, job.Unchanged, job.Skipped, job.Failed }, GatehouseJson.Options),
        };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var finished = await db.ReplayJobs.Where(j => j.Id == job.Id && j.ClaimedBy == claim).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, status)
            .SetProperty(j => j.FinishedAt, now)
            .SetProperty(j => j.ClaimedBy, (string?)null)
            .SetProperty(j => j.ActiveSlot, (int?)null)
            .SetProperty(j => j.LeaseExpiresAt, (DateTimeOffset?)null), cancellationToken);
        if (finished == 1)
        {
            db.AuditEntries.Add(audit);
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        LogJobFinished(logger, job.Id, status, job.Done, job.Total);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The replay worker hit an error; retrying")]
    private static partial void LogWorkerError(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingestion {Refid} could not be replayed by job {JobId}; the job goes on")]
    private static partial void LogReplayFailed(ILogger logger, string refid, string jobId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingestion {Refid} is replayed again by job {JobId}: an event its events were superseded by changed its External ID")]
    private static partial void LogRevisit(ILogger logger, string refid, string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replay job {JobId} was taken over by another node after this node's lease ran out")]
    private static partial void LogJobLost(ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replay job {JobId} ended {Status} after {Done} of {Total} requests")]
    private static partial void LogJobFinished(ILogger logger, string jobId, ReplayJobStatus status, int done, int total);
}
