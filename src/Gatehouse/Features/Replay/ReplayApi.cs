using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Intake;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Replay;

/// <summary>One stored request in a dry run: what replaying it would change.</summary>
public sealed record IngestionReplayView(
    string Refid, IngestionStatus Status, string Integration, string Site, DateTimeOffset ReceivedAt,
    string Outcome, string? Error, IReadOnlyList<EventDiff> Events, IReadOnlyList<IncidentDiff> Incidents,
    int UnchangedEvents, int EscalationsToCreate, IReadOnlyList<ExtractionError> Errors);

public sealed record ReplaySummary(int Changed, int Unchanged, int Failed, int EventsAppearing, int EventsDisappearing, int EventsChanging, int IncidentsToCreate);

/// <summary>A dry run's answer: how many requests match, how many were planned (newest first), and each one's diff.</summary>
public sealed record ReplayPreview(int Matched, int Previewed, bool Truncated, string? TruncatedBecause, ReplaySummary Summary, IReadOnlyList<IngestionReplayView> Ingestions);

public sealed record ReplayJobView(
    string Id, ReplayJobStatus Status, JsonNode? Filter, bool RunPlaybooks, int Total, int Done, int Changed, int Unchanged, int Skipped, int Failed,
    bool CancelRequested, JsonNode? Problems, string? Error, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt)
{
    public static ReplayJobView From(ReplayJob job) => new(job.Id, job.Status, GatehouseJson.ParseStored(job.FilterJson), job.RunPlaybooks, job.Total, job.Done,
        job.Changed, job.Unchanged, job.Skipped, job.Failed, job.CancelRequested, GatehouseJson.ParseStored(job.ProblemsJson), job.Error, job.CreatedBy,
        job.CreatedAt, job.StartedAt, job.FinishedAt);
}

public static class ReplayApi
{
    /// <summary>A dry run stops planning after this long and says so: formatters run for every request it plans.</summary>
    public static readonly TimeSpan PreviewBudget = TimeSpan.FromSeconds(20);

    public static void MapReplayApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/ingestions/replay").WithTags("Ingestions").RequireAuthorization(Policies.Administrator);
        group.MapPost("", Replay).WithName("ReplayIngestions")
            .WithSummary("Process stored requests again with the current definitions: a dry run answers the diff; otherwise a background job applies it.");
        group.MapGet("/jobs", Jobs).WithName("ListReplayJobs").WithSummary("Replay jobs, newest first.");
        group.MapGet("/jobs/{id}", Job).WithName("GetReplayJob").WithSummary("One replay job's progress.");
        group.MapPost("/jobs/{id}/cancel", Cancel).WithName("CancelReplayJob").WithSummary("Stop a replay job after the request it is on.");
    }

    internal static async Task<Results<Ok<ReplayPreview>, Accepted<ReplayJobView>, ProblemHttpResult>> Replay(
        ReplayRequest request, GatehouseDb db, CurrentUser user, ReplayPreparer preparer, Audit.AuditLog audit, ReplaySignals signals,
        TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var errors = request.Check(out var statuses);
        var filter = request.Filter ?? new ReplayFilter();
        var sites = await user.SiteIdsAsync(cancellationToken);
        if (errors.Count == 0)
        {
            await CheckNamesAsync(db, filter, sites, errors, cancellationToken);
        }
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        if (request.DryRun != false)
        {
            return TypedResults.Ok(await PreviewAsync(db, preparer, filter, statuses, sites, request.Limit ?? ReplayRequest.DefaultLimit, loggers, cancellationToken));
        }
        if (await db.ReplayJobs.AnyAsync(j => j.Status == ReplayJobStatus.Queued || j.Status == ReplayJobStatus.Running, cancellationToken))
        {
            return Problems.Conflict("replay_running", "A replay job is already queued or running; wait for it to finish, or cancel it, before starting another.");
        }
        var now = time.GetUtcNow();
        // The job covers what had arrived when it was asked for; later requests get the current definitions anyway.
        var fixedFilter = filter with { To = filter.To is { } to && to < now ? to : now, Status = statuses.Length == 1 ? statuses[0].ToString() : null };
        var job = new ReplayJob
        {
            Id = Guid.NewGuid().ToString("N"),
            FilterJson = JsonSerializer.Serialize(fixedFilter, GatehouseJson.Options),
            RunPlaybooks = request.RunPlaybooks == true,
            Status = ReplayJobStatus.Queued,
            ActiveSlot = 1,
            Total = await ReplayPreparer.Matching(db, fixedFilter, statuses, sites).CountAsync(cancellationToken),
            CreatedByUserId = user.Id,
            CreatedBy = user.Username,
            CreatedAt = now,
        };
        db.ReplayJobs.Add(job);
        audit.Record(Audit.AuditActions.ReplayStarted, target: job.Id, detail: new { Filter = fixedFilter, job.Total, job.RunPlaybooks });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex))
        {
            return Problems.Conflict("replay_running", "A replay job is already queued or running; wait for it to finish, or cancel it, before starting another.");
        }
        signals.WorkArrived();
        return TypedResults.Accepted($"/api/ingestions/replay/jobs/{job.Id}", ReplayJobView.From(job));
    }

    private static async Task CheckNamesAsync(GatehouseDb db, ReplayFilter filter, IReadOnlySet<int> sites, List<string> errors, CancellationToken cancellationToken)
    {
        if (filter.Integration is { } integration && !await db.Integrations.AnyAsync(i => i.NormalizedName == Normalize.Name(integration), cancellationToken))
        {
            errors.Add($"'filter.integration': there is no integration '{integration}'.");
        }
        if (filter.Site is { } site && !await db.Sites.AnyAsync(s => s.NormalizedName == Normalize.Name(site) && sites.Contains(s.Id), cancellationToken))
        {
            errors.Add($"'filter.site': there is no site '{site}' that you can see.");
        }
        if (filter.Key is { } key && !await db.WebhookKeys.AnyAsync(k => k.Id == key, cancellationToken))
        {
            errors.Add($"'filter.key': there is no key {key}.");
        }
    }

    private static async Task<ReplayPreview> PreviewAsync(
        GatehouseDb db, ReplayPreparer preparer, ReplayFilter filter, IngestionStatus[] statuses, IReadOnlySet<int> sites, int limit,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var query = ReplayPreparer.Matching(db, filter, statuses, sites);
        var matched = await query.CountAsync(cancellationToken);
        var rows = await query.Include(i => i.Integration).Include(i => i.Site)
            .OrderByDescending(i => i.ReceivedAt).ThenByDescending(i => i.Id).Take(limit).ToListAsync(cancellationToken);
        var views = new List<IngestionReplayView>();
        var clock = Stopwatch.StartNew();
        string? stoppedBecause = null;
        foreach (var row in rows)
        {
            if (clock.Elapsed > PreviewBudget)
            {
                stoppedBecause = $"Planning stopped after {PreviewBudget.TotalSeconds:0} s; narrow the filter or lower 'limit' to see the rest.";
                break;
            }
            views.Add(await PreviewOneAsync(preparer, row, loggers, cancellationToken));
        }
        if (stoppedBecause is null && matched > views.Count)
        {
            stoppedBecause = $"Only the newest {views.Count} of {matched} matching requests were planned ('limit' is at most {ReplayRequest.MaxLimit}); a replay that is carried out covers all of them.";
        }
        var summary = new ReplaySummary(
            views.Count(v => v.Outcome == "Changed"), views.Count(v => v.Outcome == "Unchanged"), views.Count(v => v.Outcome == "Failed"),
            views.Sum(v => v.Events.Count(e => e.Change == ReplayChange.Appear)), views.Sum(v => v.Events.Count(e => e.Change == ReplayChange.Disappear)),
            views.Sum(v => v.Events.Count(e => e.Change == ReplayChange.Change)),
            views.Sum(v => v.EscalationsToCreate + v.Incidents.Count(i => i.Change == ReplayChange.Appear)));
        return new ReplayPreview(matched, views.Count, stoppedBecause is not null, stoppedBecause, summary, views);
    }

    private static async Task<IngestionReplayView> PreviewOneAsync(ReplayPreparer preparer, Ingestion row, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        try
        {
            var prepared = await preparer.PrepareAsync(row, cancellationToken);
            var outcome = prepared.Outcome;
            var changed = outcome.Changed || row.Status == IngestionStatus.Failed;
            return new IngestionReplayView(row.Id, row.Status, row.Integration!.Name, row.Site!.Name, row.ReceivedAt, changed ? "Changed" : "Unchanged", null,
                outcome.Events, outcome.Incidents, outcome.Unchanged, outcome.Escalations.Count, outcome.Errors);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            loggers.CreateLogger(typeof(ReplayApi)).LogWarning(ex, "Ingestion {Refid} could not be planned for a replay", row.Id);
            return new IngestionReplayView(row.Id, row.Status, row.Integration!.Name, row.Site!.Name, row.ReceivedAt, "Failed", ReplayProblems.Describe(ex),
                [], [], 0, 0, []);
        }
    }

    internal static async Task<Results<Ok<Page<ReplayJobView>>, ProblemHttpResult>> Jobs(int? page, int? pageSize, GatehouseDb db, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        if (Paging.From(page, pageSize, errors) is not { } paging)
        {
            return Problems.Invalid(errors);
        }
        var total = await db.ReplayJobs.CountAsync(cancellationToken);
        var jobs = await db.ReplayJobs.AsNoTracking().OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id)
            .Skip(paging.Skip).Take(paging.Size).ToListAsync(cancellationToken);
        return TypedResults.Ok(new Page<ReplayJobView>(jobs.Select(ReplayJobView.From).ToList(), paging.Number, paging.Size, total));
    }

    internal static async Task<Results<Ok<ReplayJobView>, ProblemHttpResult>> Job(string id, GatehouseDb db, CancellationToken cancellationToken) =>
        await db.ReplayJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, cancellationToken) is { } job
            ? TypedResults.Ok(ReplayJobView.From(job))
            : Problems.NotFound($"There is no replay job '{id}'.");

    /// <summary>A queued job stops at once; a running one after the request it is on (each request's replay is one transaction).</summary>
    internal static async Task<Results<Ok<ReplayJobView>, ProblemHttpResult>> Cancel(
        string id, GatehouseDb db, Audit.AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var job = await db.ReplayJobs.FirstOrDefaultAsync(j => j.Id == id, cancellationToken);
        if (job is null)
        {
            return Problems.NotFound($"There is no replay job '{id}'.");
        }
        if (job.Status is not (ReplayJobStatus.Queued or ReplayJobStatus.Running))
        {
            return Problems.Conflict("replay_finished", $"The replay job is {job.Status}; only a queued or running job can be cancelled.");
        }
        if (job.Status == ReplayJobStatus.Queued)
        {
            (job.Status, job.FinishedAt, job.ActiveSlot) = (ReplayJobStatus.Cancelled, time.GetUtcNow(), null);
        }
        job.CancelRequested = true;
        audit.Record(Audit.AuditActions.ReplayCancelled, target: job.Id, detail: new { job.Done, job.Total });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict("replay_busy", "The replay job changed hands while it was being cancelled; try again.");
        }
        return TypedResults.Ok(ReplayJobView.From(job));
    }
}
