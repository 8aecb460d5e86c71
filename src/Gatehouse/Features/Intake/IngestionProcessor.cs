using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Auth;
using Gatehouse.Core.Intake;
using Gatehouse.Features.Integrations;
using Gatehouse.Infrastructure;
using Gatehouse.Processing;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Intake;

/// <summary>What processing wrote to an ingestion's log, besides the events and incidents themselves.</summary>
public sealed class IngestionLog
{
    public JsonArray RawData { get; set; } = [];
    public JsonArray Output { get; set; } = [];
    public List<ExtractionError> Errors { get; set; } = [];
    /// <summary>The key's data formatter, when it has one.</summary>
    public string? Formatter { get; set; }
    /// <summary>Events the formatter dropped (it returned null).</summary>
    public List<string> Dropped { get; set; } = [];
    /// <summary>Events not created because their External ID was already ingested for this integration and site.</summary>
    public List<DeduplicatedEvent> Deduplicated { get; set; } = [];
    /// <summary>What each pipeline step did with each event: formatter, deduplication, TTP search, automation rule.</summary>
    public JsonArray Steps { get; set; } = [];

    public string Serialize() => JsonSerializer.Serialize(this, GatehouseJson.Options);

    public static IngestionLog Deserialize(string? json) =>
        json is null ? new IngestionLog() : JsonSerializer.Deserialize<IngestionLog>(json, GatehouseJson.Options) ?? new IngestionLog();
}

/// <summary>An item linked to an event already ingested (<see cref="EventId"/>) or to an earlier item of the same request (<see cref="SameAsItem"/>).</summary>
public sealed record DeduplicatedEvent(string Item, string ExternalId, long? EventId, string? SameAsItem);

/// <summary>Claims stored ingestions and turns each into events and incidents, in one transaction per ingestion.</summary>
public sealed partial class IngestionProcessor(
    GatehouseDb db,
    Func<IntakePipeline> pipelines,
    Playbooks.PlaybookTriggers playbooks,
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
            IntakeMetrics.Quarantined(quarantined);
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
        var json = log.Serialize();
        return db.Ingestions
            .Where(i => i.Status == IngestionStatus.Processing && i.LeaseExpiresAt < now && i.Attempts >= maxAttempts)
            .ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Status, IngestionStatus.Failed)
                .SetProperty(i => i.ProcessedAt, now)
                .SetProperty(i => i.LogJson, json)
                .SetProperty(i => i.ClaimedBy, (string?)null)
                .SetProperty(i => i.LeaseExpiresAt, (DateTimeOffset?)null), cancellationToken);
    }

    /// <summary>
    /// Processes claimed ingestions in one transaction (one commit for all). If that fails — one
    /// ingestion's error, a lost lease — each is processed again on its own, so one cannot sink the others.
    /// </summary>
    public async Task ProcessBatchAsync(IReadOnlyList<string> refids, string claim, CancellationToken cancellationToken)
    {
        if (refids.Count == 1)
        {
            await ProcessAsync(refids[0], claim, cancellationToken);
            return;
        }
        try
        {
            var ingestions = await db.Ingestions.Include(i => i.Integration).Include(i => i.Site)
                .Where(i => refids.Contains(i.Id) && i.ClaimedBy == claim).OrderBy(i => i.ReceivedAt).ToListAsync(cancellationToken);
            var newEvents = new Dictionary<string, (Event, string)>(StringComparer.Ordinal);
            var logs = new List<(string Refid, int Errors)>();
            foreach (var ingestion in ingestions)
            {
                var log = await pipelines().RunAsync(ingestion, newEvents, cancellationToken);
                Complete(ingestion, IngestionStatus.Processed, log);
                logs.Add((ingestion.Id, log.Errors.Count));
            }
            await db.SaveChangesAsync(cancellationToken);
            playbooks.Saved();
            foreach (var (refid, errors) in logs)
            {
                LogProcessed(logger, refid, errors);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            db.ChangeTracker.Clear();
            foreach (var refid in refids)
            {
                await ReleaseAsync(refid, claim);
            }
            throw;
        }
        catch (Exception ex)
        {
            db.ChangeTracker.Clear();
            LogBatchFallback(logger, refids.Count, ex);
            foreach (var refid in refids)
            {
                await ProcessAsync(refid, claim, cancellationToken);
            }
        }
    }

    public async Task ProcessAsync(string refid, string claim, CancellationToken cancellationToken)
    {
        var ingestion = await db.Ingestions.Include(i => i.Integration).Include(i => i.Site).FirstAsync(i => i.Id == refid, cancellationToken);
        if (ingestion.ClaimedBy != claim)
        {
            LogClaimLost(logger, refid);
            return;
        }
        try
        {
            var log = await pipelines().RunAsync(ingestion, null, cancellationToken);
            Complete(ingestion, IngestionStatus.Processed, log);
            await db.SaveChangesAsync(cancellationToken);
            playbooks.Saved();
            LogProcessed(logger, refid, log.Errors.Count);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Our lease ran out and another node claimed the ingestion: our transaction is void.
            db.ChangeTracker.Clear();
            LogClaimLost(logger, refid);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: hand the ingestion back at once instead of letting its lease run out.
            db.ChangeTracker.Clear();
            await ReleaseAsync(refid, claim);
            throw;
        }
        catch (Exception ex)
        {
            db.ChangeTracker.Clear();
            await RecordFailureAsync(refid, claim, ex, cancellationToken);
        }
    }

    private Task ReleaseAsync(string refid, string claim) =>
        db.Ingestions.Where(i => i.Id == refid && i.ClaimedBy == claim && i.Status == IngestionStatus.Processing)
            .ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Status, IngestionStatus.Pending)
                .SetProperty(i => i.ClaimedBy, (string?)null)
                .SetProperty(i => i.LeaseExpiresAt, (DateTimeOffset?)null)
                .SetProperty(i => i.Attempts, i => i.Attempts - 1), CancellationToken.None);

    private void Complete(Ingestion ingestion, IngestionStatus status, IngestionLog log)
    {
        ingestion.Status = status;
        ingestion.ProcessedAt = time.GetUtcNow();
        ingestion.LogJson = log.Serialize();
        ingestion.ClaimedBy = null;
        ingestion.LeaseExpiresAt = null;
    }

    /// <summary>An unexpected error: retried (released for another claim) until the attempts run out, then marked failed.</summary>
    private async Task RecordFailureAsync(string refid, string claim, Exception exception, CancellationToken cancellationToken)
    {
        var ingestion = await db.Ingestions.FirstAsync(i => i.Id == refid, cancellationToken);
        if (ingestion.ClaimedBy != claim)
        {
            return;
        }
        LogProcessingError(logger, refid, ingestion.Attempts, exception);
        if (ingestion.Attempts >= options.Value.Intake.MaxAttempts)
        {
            var log = new IngestionLog
            {
                Formatter = await db.WebhookKeys.AsNoTracking().Where(k => k.Id == ingestion.KeyId).Select(k => k.DataFormatter).FirstOrDefaultAsync(cancellationToken),
            };
            // A script's crash message is ours and names no data; other exceptions are named by type only.
            var reason = exception is Infrastructure.Sandbox.ScriptCrashedException ? exception.Message : exception.GetType().Name;
            log.Errors.Add(new ExtractionError("body", $"Processing failed after {ingestion.Attempts} attempts: {reason}."));
            Complete(ingestion, IngestionStatus.Failed, log);
            IntakeMetrics.Quarantined(1);
        }
        else
        {
            ingestion.Status = IngestionStatus.Pending;
            ingestion.ClaimedBy = null;
            ingestion.LeaseExpiresAt = null;
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            LogClaimLost(logger, refid);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} ingestions were quarantined (Failed): processing was interrupted {MaxAttempts} times")]
    private static partial void LogQuarantined(ILogger logger, int count, int maxAttempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} ingestions could not be saved together; processing each on its own")]
    private static partial void LogBatchFallback(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingestion {Refid} was claimed by another node after this node's lease ran out; leaving it to that node")]
    private static partial void LogClaimLost(ILogger logger, string refid);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ingestion {Refid} processed with {ErrorCount} item errors")]
    private static partial void LogProcessed(ILogger logger, string refid, int errorCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ingestion {Refid} failed on attempt {Attempt}")]
    private static partial void LogProcessingError(ILogger logger, string refid, int attempt, Exception exception);
}
