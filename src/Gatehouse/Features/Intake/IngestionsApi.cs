using Gatehouse.Core.Auth;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Intake;

public sealed record IngestionSummary(
    string Refid, IngestionStatus Status, string Integration, string Site, IntakeKind Intake, int KeyId,
    DateTimeOffset ReceivedAt, DateTimeOffset? ProcessedAt, int Attempts);

public static class IngestionsApi
{
    public static void MapIngestionsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/ingestions", List).WithTags("Ingestions").RequireAuthorization().WithName("ListIngestions").WithSummary("List ingestions of your sites, newest first.");
        app.MapGet("/api/ingestions/{refid}", Get).WithTags("Ingestions").RequireAuthorization()
            .WithName("GetIngestion").WithSummary("One ingestion's log: input, raw data, output, events, incidents, errors and steps.");
        app.MapPost("/api/ingestions/{refid}/retry", Retry).WithTags("Ingestions").RequireAuthorization()
            .WithName("RetryIngestion").WithSummary("Process a failed (quarantined) ingestion again, after a fix.");
    }

    /// <summary>The ingestion log, newest first: filters <c>site</c>, <c>integration</c>, <c>status</c>, <c>from</c>, <c>to</c> (received).</summary>
    internal static async Task<Results<Ok<Page<IngestionSummary>>, ProblemHttpResult>> List(
        [AsParameters] ListFilter filter, GatehouseDb db, CurrentUser user, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        if (filter.Validate<IngestionStatus>(errors) is not var (paging, status))
        {
            return Problems.Invalid(errors);
        }
        var query = Visible(db, await user.SiteIdsAsync(cancellationToken), filter.Site, filter.Integration, filter.From, filter.To);
        query = status is { } wanted ? query.Where(i => i.Status == wanted) : query;
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(i => i.ReceivedAt).ThenByDescending(i => i.Id).Skip(paging.Skip).Take(paging.Size)
            .Select(i => new IngestionSummary(i.Id, i.Status, i.Integration!.Name, i.Site!.Name, i.Intake, i.KeyId, i.ReceivedAt, i.ProcessedAt, i.Attempts))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new Page<IngestionSummary>(items, paging.Number, paging.Size, total));
    }

    /// <summary>The ingestions of <paramref name="sites"/>, by site and integration name and received time, as lists and replays filter them.</summary>
    public static IQueryable<Ingestion> Visible(GatehouseDb db, IReadOnlySet<int> sites, string? site, string? integration, DateTimeOffset? from, DateTimeOffset? to)
    {
        var query = db.Ingestions.AsNoTracking().Where(i => sites.Contains(i.SiteId));
        if (site is not null)
        {
            var normalized = Normalize.Name(site);
            query = query.Where(i => i.Site!.NormalizedName == normalized);
        }
        if (integration is not null)
        {
            var normalized = Normalize.Name(integration);
            query = query.Where(i => i.Integration!.NormalizedName == normalized);
        }
        query = from is { } start ? query.Where(i => i.ReceivedAt >= start) : query;
        return to is { } end ? query.Where(i => i.ReceivedAt < end) : query;
    }

    internal static async Task<Results<Ok<IngestionView>, ProblemHttpResult>> Get(
        string refid, IngestionResults results, CurrentUser user, CancellationToken cancellationToken)
    {
        var view = await results.ViewAsync(refid, await user.SiteIdsAsync(cancellationToken), cancellationToken);
        return view is null ? Problems.NotFound($"There is no ingestion '{refid}' that you can see.") : TypedResults.Ok(view);
    }

    /// <summary>A quarantined (Failed) ingestion is queued again with a fresh count of attempts, after the operator fixed the cause.</summary>
    internal static async Task<Results<Ok<IngestionSummary>, ProblemHttpResult>> Retry(
        string refid, GatehouseDb db, CurrentUser user, Audit.AuditLog audit, IngestionSignals signals, CancellationToken cancellationToken)
    {
        var sites = await user.SiteIdsAsync(cancellationToken);
        var ingestion = await db.Ingestions.Include(i => i.Integration).Include(i => i.Site)
            .FirstOrDefaultAsync(i => i.Id == refid && sites.Contains(i.SiteId), cancellationToken);
        if (ingestion is null)
        {
            return Problems.NotFound($"There is no ingestion '{refid}' that you can see.");
        }
        if (ingestion.Status != IngestionStatus.Failed)
        {
            return Problems.Conflict("not_failed", $"Only a Failed ingestion can be retried; '{refid}' is {ingestion.Status}.");
        }
        ingestion.Status = IngestionStatus.Pending;
        ingestion.Attempts = 0;
        ingestion.ProcessedAt = null;
        audit.Record(Audit.AuditActions.IngestionRetried, target: refid, detail: new { Integration = ingestion.Integration!.Name, Site = ingestion.Site!.Name });
        await db.SaveChangesAsync(cancellationToken);
        signals.StopWaiting(refid);
        signals.WorkArrived();
        return TypedResults.Ok(new IngestionSummary(ingestion.Id, ingestion.Status, ingestion.Integration.Name, ingestion.Site.Name, ingestion.Intake,
            ingestion.KeyId, ingestion.ReceivedAt, ingestion.ProcessedAt, ingestion.Attempts));
    }
}
