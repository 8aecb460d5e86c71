using System.Diagnostics;
using System.Text.Json.Nodes;
using Gatehouse.Core.Auth;
using Gatehouse.Core.Intake;
using Gatehouse.Features.Playbooks;
using Gatehouse.Infrastructure;
using Gatehouse.Processing;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Intake;

/// <summary>
/// Claims stored ingestions and turns a batch of them into events and incidents: load the cached
/// definitions, select and format each request's items, look up the External IDs already stored in
/// one query, let <see cref="IngestionPlanner"/> decide everything, and apply the plan in one commit.
/// </summary>
public sealed partial class IngestionProcessor(
    GatehouseDb db,
    IntakeDefinitions definitions,
    IngestionDrafter drafter,
    IngestionApplier applier,
    Attack.AttackContent attack,
    PlaybookSignals playbookSignals,
    IntakeMetrics metrics,
    TimeProvider time,
    IOptions<GatehouseOptions> options,
    ILogger<IngestionProcessor> logger)
{
    /// <summary>
    /// Claims work: first quarantines what died with its node on its last permitted attempt, then
    /// takes one ingestion that was tried before (alone, so a poisoned one cannot take fresh work down
    /// with it), else up to <paramref name="max"/> fresh ones at once. The attempt is counted by the claim
    /// itself, so it is durable before processing starts.
    /// </summary>
    public async Task<(string Claim, List<string> Ids)> ClaimBatchAsync(int max, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var maxAttempts = options.Value.Intake.MaxAttempts;
        var quarantined = await QuarantineDeadAsync(now, maxAttempts, cancellationToken);
        if (quarantined > 0)
        {
            metrics.Quarantined(quarantined);
            LogQuarantined(logger, quarantined, maxAttempts);
        }
        var retried = await ClaimAsync(i => i.Attempts > 0 && i.Attempts < maxAttempts
            && (i.Status == IngestionStatus.Pending || (i.Status == IngestionStatus.Processing && i.LeaseExpiresAt < now)), now, 1, cancellationToken);
        return retried.Ids.Count > 0 ? retried : await ClaimAsync(i => i.Attempts == 0 && i.Status == IngestionStatus.Pending, now, max, cancellationToken);
    }

    private Task<(string Claim, List<string> Ids)> ClaimAsync(System.Linq.Expressions.Expression<Func<Ingestion, bool>> claimable, DateTimeOffset now, int max, CancellationToken cancellationToken) =>
        WorkLeases.ClaimBatchAsync(
            db.Ingestions,
            claimable,
            query => query.OrderBy(i => i.ReceivedAt),
            setters => setters.SetProperty(i => i.Status, IngestionStatus.Processing),
            now.AddSeconds(options.Value.Intake.LeaseSeconds),
            max,
            cancellationToken);

    /// <summary>Ingestions whose node died (the lease ran out) on their last permitted attempt end Failed, with the reason in their log.</summary>
    private Task<int> QuarantineDeadAsync(DateTimeOffset now, int maxAttempts, CancellationToken cancellationToken)
    {
        var log = new IngestionLog();
        log.Errors.Add(new ExtractionError("body",
            $"Quarantined: processing was interrupted {maxAttempts} times (the node stopped or crashed while processing it). Fix the cause, then retry it with POST /api/ingestions/{{refid}}/retry."));
        var json = IngestionLogJson.Serialize(log);
        return db.Ingestions
            .Where(i => i.Status == IngestionStatus.Processing && i.LeaseExpiresAt < now && i.Attempts >= maxAttempts)
            .ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Status, IngestionStatus.Failed)
                .SetProperty(i => i.ProcessedAt, now)
                .SetProperty(i => i.LogJson, json)
                .SetProperty(i => i.ClaimedBy, (string?)null)
                .SetProperty(i => i.LeaseExpiresAt, (DateTimeOffset?)null), cancellationToken);
    }

    /// <summary>One claimed ingestion, processed on its own.</summary>
    public Task ProcessAsync(string refid, string claim, CancellationToken cancellationToken) => ProcessBatchAsync([refid], claim, cancellationToken);

    /// <summary>
    /// Processes claimed ingestions together, in one commit. A request that cannot be drafted (a
    /// crashed formatter, say) fails on its own; if the batch cannot be saved, each is planned and
    /// saved again alone, so one cannot sink the others.
    /// </summary>
    public async Task ProcessBatchAsync(IReadOnlyList<string> refids, string claim, CancellationToken cancellationToken)
    {
        var rows = await db.Ingestions.AsNoTracking().Where(i => refids.Contains(i.Id) && i.ClaimedBy == claim)
            .OrderBy(i => i.ReceivedAt).ToListAsync(cancellationToken);
        foreach (var lost in refids.Except(rows.Select(r => r.Id)))
        {
            LogClaimLost(logger, lost);
        }
        using var activity = Telemetry.Intake.StartActivity(ActivityKind.Internal, parentContext: default, name: "gatehouse.intake.process",
            links: Telemetry.LinksTo(rows.Select(r => r.TraceParent)));
        activity?.SetTag("gatehouse.ingestions", rows.Count);
        activity?.SetTag("gatehouse.refids", string.Join(' ', rows.Select(r => r.Id)));
        var drafts = new List<IngestionDraft>();
        // Slow formatters must not hold a whole batch past its lease: past a third of it, the rest goes back for the next claim.
        var started = time.GetTimestamp();
        var draftBudget = TimeSpan.FromSeconds(options.Value.Intake.LeaseSeconds / 3.0);
        try
        {
            for (var index = 0; index < rows.Count; index++)
            {
                var row = rows[index];
                if (drafts.Count > 0 && time.GetElapsedTime(started) > draftBudget)
                {
                    foreach (var rest in rows.Skip(index))
                    {
                        await ReleaseAsync(rest.Id, claim);
                    }
                    LogBatchCut(logger, rows.Count - index, draftBudget.TotalSeconds);
                    break;
                }
                using var scope = logger.BeginScope(new Dictionary<string, object> { ["Refid"] = row.Id });
                try
                {
                    drafts.Add(await drafter.DraftAsync(row, cancellationToken));
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    await RecordFailureAsync(row.Id, claim, ex, cancellationToken);
                }
            }
            if (drafts.Count == 0)
            {
                return;
            }
            try
            {
                await PlanAndApplyAsync(drafts, claim, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                db.ChangeTracker.Clear();
                if (drafts.Count > 1)
                {
                    LogBatchFallback(logger, drafts.Count, ex);
                }
                foreach (var draft in drafts)
                {
                    await RetryAloneAsync(draft, claim, drafts.Count > 1 ? null : ex, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: hand what is not done back at once instead of letting its lease run out.
            db.ChangeTracker.Clear();
            foreach (var row in rows)
            {
                await ReleaseAsync(row.Id, claim);
            }
            throw;
        }
    }

    /// <summary>After a batch failed to save: the request planned and saved alone, or its failure recorded (<paramref name="known"/> when it already failed alone).</summary>
    private async Task RetryAloneAsync(IngestionDraft draft, string claim, Exception? known, CancellationToken cancellationToken)
    {
        var refid = draft.Input.Refid;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["Refid"] = refid });
        if (known is null)
        {
            try
            {
                await PlanAndApplyAsync([draft], claim, cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                known = ex;
            }
        }
        if (known is ClaimLostException)
        {
            LogClaimLost(logger, refid);
            return;
        }
        await RecordFailureAsync(refid, claim, known, cancellationToken);
    }

    /// <summary>Steps 5–8 and the write: one query for the External IDs already stored, the plan, one commit.</summary>
    private async Task PlanAndApplyAsync(IReadOnlyList<IngestionDraft> drafts, string claim, CancellationToken cancellationToken)
    {
        var known = await drafter.KnownAsync(drafts.SelectMany(d => d.ExternalIds).ToHashSet(), null, cancellationToken);
        var playbooks = await drafter.PlaybooksAsync(drafts, cancellationToken);
        BatchPlan plan;
        using (var planning = Telemetry.Intake.StartActivity("gatehouse.intake.plan"))
        {
            plan = IngestionPlanner.Plan(drafts, new PlanningContext(
                time.GetUtcNow(), attack.Catalog, attack.Sigma, known,
                name => playbooks.TryGetValue(name, out var entry) ? new PlaybookRef(entry.Name, entry.Kind) : null,
                () => Guid.NewGuid().ToString("N")));
            planning?.SetTag("gatehouse.events", plan.Events.Count);
            planning?.SetTag("gatehouse.incidents", plan.Incidents.Count);
        }
        using (Telemetry.Intake.StartActivity("gatehouse.intake.apply"))
        {
            await applier.ApplyAsync(db, plan, playbooks.Values.DistinctBy(p => p.Name).ToDictionary(p => p.Name, StringComparer.Ordinal), claim, cancellationToken);
        }
        if (plan.Runs.Count > 0)
        {
            playbookSignals.WorkArrived();
        }
        foreach (var notStarted in plan.NotStarted)
        {
            LogPlaybookNotStarted(logger, notStarted.Playbook, notStarted.Trigger, notStarted.Problem);
        }
        metrics.Processed(plan);
        foreach (var (refid, log) in plan.Logs)
        {
            LogProcessed(logger, refid, log.Errors.Count);
        }
    }

    private Task ReleaseAsync(string refid, string claim) =>
        db.Ingestions.Where(i => i.Id == refid && i.ClaimedBy == claim && i.Status == IngestionStatus.Processing)
            .ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Status, IngestionStatus.Pending)
                .SetProperty(i => i.ClaimedBy, (string?)null)
                .SetProperty(i => i.LeaseExpiresAt, (DateTimeOffset?)null)
                .SetProperty(i => i.Attempts, i => i.Attempts - 1), CancellationToken.None);

    /// <summary>An unexpected error: retried (released for another claim) until the attempts run out, then marked failed.</summary>
    private async Task RecordFailureAsync(string refid, string claim, Exception exception, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        var ingestion = await db.Ingestions.FirstAsync(i => i.Id == refid, cancellationToken);
        if (ingestion.ClaimedBy != claim)
        {
            LogClaimLost(logger, refid);
            return;
        }
        LogProcessingError(logger, refid, ingestion.Attempts, exception);
        metrics.Failed();
        ingestion.ClaimedBy = null;
        ingestion.LeaseExpiresAt = null;
        if (ingestion.Attempts >= options.Value.Intake.MaxAttempts)
        {
            var log = new IngestionLog { Formatter = (await definitions.KeyAsync(db, ingestion.KeyId, cancellationToken))?.DataFormatter };
            // A script's crash message is ours and names no data; other exceptions are named by type only.
            var reason = exception is Infrastructure.Sandbox.ScriptCrashedException ? exception.Message : exception.GetType().Name;
            log.Errors.Add(new ExtractionError("body", $"Processing failed after {ingestion.Attempts} attempts: {reason}."));
            ingestion.Status = IngestionStatus.Failed;
            ingestion.ProcessedAt = time.GetUtcNow();
            ingestion.LogJson = IngestionLogJson.Serialize(log);
            metrics.Quarantined(1);
        }
        else
        {
            ingestion.Status = IngestionStatus.Pending;
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            LogClaimLost(logger, refid);
        }
        db.ChangeTracker.Clear();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} ingestions were quarantined (Failed): processing was interrupted {MaxAttempts} times")]
    private static partial void LogQuarantined(ILogger logger, int count, int maxAttempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} claimed ingestions were handed back for the next claim: formatting the batch took longer than {Seconds:0} s (a third of the lease)")]
    private static partial void LogBatchCut(ILogger logger, int count, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} ingestions could not be saved together; processing each on its own")]
    private static partial void LogBatchFallback(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingestion {Refid} was claimed by another node after this node's lease ran out; leaving it to that node")]
    private static partial void LogClaimLost(ILogger logger, string refid);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ingestion {Refid} processed with {ErrorCount} item errors")]
    private static partial void LogProcessed(ILogger logger, string refid, int errorCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ingestion {Refid} failed on attempt {Attempt}")]
    private static partial void LogProcessingError(ILogger logger, string refid, int attempt, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Playbook {Playbook} not started for {Trigger}: {Problem}")]
    private static partial void LogPlaybookNotStarted(ILogger logger, string playbook, string trigger, string problem);
}
