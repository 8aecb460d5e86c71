using System.Text.Json.Nodes;
using Gatehouse.Core.Playbooks;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Playbooks;

public sealed record PlaybookTaskView(
    string Id, TaskState Status, int Attempts, JsonNode? Input, JsonNode? Output, string? Error,
    DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, DateTimeOffset? NextAttemptAt, long? DurationMs);

public sealed record PlaybookRunView(
    string Id, string Playbook, int Version, PlaybookKind Kind, long? Event, long? Incident, string Site, string Trigger,
    RunState Status, bool CancelRequested, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    IReadOnlyList<PlaybookTaskView>? Tasks);

/// <summary><c>/api/playbook-runs</c>: runs of the sites the caller may see, each task's input, output, error, attempts and timings; cancel.</summary>
public static class PlaybookRunsApi
{
    public static void MapPlaybookRunsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/playbook-runs").WithTags("Playbooks").RequireAuthorization();
        group.MapGet("/", List).WithName("ListPlaybookRuns").WithSummary("List playbook runs of your sites, newest first.");
        group.MapGet("/{id}", Get).WithName("GetPlaybookRun").WithSummary("One playbook run with each task's input, output, error and timing.");
        group.MapPost("/{id}/cancel", Cancel).WithName("CancelPlaybookRun").WithSummary("Cancel a queued or running playbook run.");
    }

    internal static async Task<Results<Ok<Page<PlaybookRunView>>, ProblemHttpResult>> List(
        long? @event, long? incident, string? status, string? playbook, int? page, int? pageSize,
        GatehouseDb db, CurrentUser user, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var paging = Paging.From(page, pageSize, errors);
        RunState? state = null;
        if (status is not null)
        {
            if (Enum.TryParse<RunState>(status, ignoreCase: true, out var parsed) && !int.TryParse(status, out _))
            {
                state = parsed;
            }
            else
            {
                errors.Add($"'status' is one of {string.Join(", ", Enum.GetNames<RunState>())}.");
            }
        }
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var sites = await user.SiteIdsAsync(cancellationToken);
        var query = db.PlaybookRuns.AsNoTracking().Where(r => sites.Contains(r.SiteId));
        query = @event is { } eventId ? query.Where(r => r.EventId == eventId) : query;
        query = incident is { } incidentId ? query.Where(r => r.IncidentId == incidentId) : query;
        query = state is { } wanted ? query.Where(r => r.Status == wanted) : query;
        query = playbook is not null ? query.Where(r => r.PlaybookName == playbook) : query;
        var total = await query.CountAsync(cancellationToken);
        var runs = await query.OrderByDescending(r => r.CreatedAt).ThenBy(r => r.Id).Skip(paging!.Value.Skip).Take(paging.Value.Size).ToListAsync(cancellationToken);
        var siteNames = await SiteNamesAsync(db, runs, cancellationToken);
        return TypedResults.Ok(new Page<PlaybookRunView>(runs.Select(r => View(r, siteNames[r.SiteId], null)).ToList(), paging.Value.Number, paging.Value.Size, total));
    }

    internal static async Task<Results<Ok<PlaybookRunView>, ProblemHttpResult>> Get(string id, GatehouseDb db, CurrentUser user, CancellationToken cancellationToken)
    {
        var run = await db.PlaybookRuns.AsNoTracking().Include(r => r.Tasks).FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (run is null || !await user.CanAccessSiteAsync(run.SiteId, cancellationToken))
        {
            return Problems.NotFound($"There is no playbook run '{id}'.");
        }
        var order = (await db.PlaybookVersions.AsNoTracking().Where(v => v.Id == run.PlaybookVersionId).Select(v => v.DefinitionJson).FirstAsync(cancellationToken))
            is var json && GatehouseJson.ParseStored(json)?["tasks"] is JsonArray defined
                ? defined.Select(t => t?["id"]?.ToString()).ToList() : [];
        var tasks = run.Tasks.OrderBy(t => order.IndexOf(t.TaskId)).Select(TaskView).ToList();
        var siteNames = await SiteNamesAsync(db, [run], cancellationToken);
        return TypedResults.Ok(View(run, siteNames[run.SiteId], tasks));
    }

    /// <summary>A queued run is cancelled at once; a running one stops starting tasks and cancels those running.</summary>
    internal static async Task<Results<Ok<PlaybookRunView>, ProblemHttpResult>> Cancel(
        string id, GatehouseDb db, CurrentUser user, Audit.AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var run = await db.PlaybookRuns.Include(r => r.Tasks).FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (run is null || !await user.CanAccessSiteAsync(run.SiteId, cancellationToken))
        {
            return Problems.NotFound($"There is no playbook run '{id}'.");
        }
        if (run.Status is RunState.Succeeded or RunState.Failed or RunState.Cancelled)
        {
            return Problems.Conflict("run_finished", $"The run has already ended: {run.Status}.");
        }
        run.CancelRequested = true;
        audit.Record(Audit.AuditActions.PlaybookRunCancelled, target: run.Id, detail: new { Playbook = run.PlaybookName, run.Version, From = run.Status });
        if (run.Status == RunState.Queued && run.ClaimedBy is null)
        {
            var now = time.GetUtcNow();
            run.Status = RunState.Cancelled;
            run.FinishedAt = now;
            run.Error = "Cancelled.";
            foreach (var task in run.Tasks)
            {
                (task.Status, task.FinishedAt, task.Error) = (TaskState.Cancelled, now, "The run was cancelled.");
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        var siteNames = await SiteNamesAsync(db, [run], cancellationToken);
        return TypedResults.Ok(View(run, siteNames[run.SiteId], run.Tasks.Select(TaskView).ToList()));
    }

    private static Task<Dictionary<int, string>> SiteNamesAsync(GatehouseDb db, IReadOnlyList<PlaybookRun> runs, CancellationToken cancellationToken)
    {
        var ids = runs.Select(r => r.SiteId).Distinct().ToList();
        return db.Sites.AsNoTracking().Where(s => ids.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, cancellationToken);
    }

    private static PlaybookRunView View(PlaybookRun run, string site, IReadOnlyList<PlaybookTaskView>? tasks) =>
        new(run.Id, run.PlaybookName, run.Version, run.Kind, run.EventId, run.IncidentId, site, run.Trigger, run.Status, run.CancelRequested,
            run.Error, run.CreatedAt, run.StartedAt, run.FinishedAt, tasks);

    private static PlaybookTaskView TaskView(PlaybookTaskRun task) =>
        new(task.TaskId, task.Status, task.Attempts,
            task.InputJson is null ? null : GatehouseJson.ParseStored(task.InputJson),
            task.OutputJson is null ? null : GatehouseJson.ParseStored(task.OutputJson),
            task.Error, task.StartedAt, task.FinishedAt, task.NotBefore, task.DurationMs);
}
