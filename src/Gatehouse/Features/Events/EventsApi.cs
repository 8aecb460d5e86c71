using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Events;

public static class EventsApi
{
    public static void MapEventsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/events").WithTags("Events").RequireAuthorization();
        group.MapGet("/", List).WithName("ListEvents").WithSummary("List events of your sites, newest first, by site, status, integration, technique and time.");
        group.MapGet("/{id:long}", Get).WithName("GetEvent").WithSummary("One event with its raw JSON, mapped fields, techniques and automation outcome.");
    }

    internal static async Task<Results<Ok<Page<EventView>>, ProblemHttpResult>> List(
        [AsParameters] ListFilter filter, [AsParameters] EventSearch search, GatehouseDb db, CurrentUser user, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var network = search.Check(errors);
        var valid = filter.Validate<EventStatus>(errors);
        if (valid is null)
        {
            return Problems.Invalid(errors);
        }
        var (paging, status) = valid.Value;
        var query = filter.Apply(db.CurrentEvents, await user.SiteIdsAsync(cancellationToken));
        if (status is not null)
        {
            query = query.Where(e => e.Status == status);
        }
        if (filter.Technique is { } technique)
        {
            // T1059 matches T1059 and its sub-techniques; TA0002 matches the tactic.
            var id = technique.Trim().ToUpperInvariant();
            if (Core.Commands.ArtifactExtractor.AttackIds(id) is not [var parsed] || parsed != id)
            {
                return Problems.Invalid(["'technique' must be a technique or tactic ID such as T1059, T1059.001 or TA0002."]);
            }
            var pattern = id.StartsWith("TA", StringComparison.Ordinal) ? $"\"id\":\"{id}\"" : $"\"techniqueId\":\"{id}";
            query = query.Where(e => e.TechniquesJson != null && e.TechniquesJson.Contains(pattern));
        }
        query = search.Apply(query);
        if (network is not null)
        {
            // A range cannot be compared in SQL on both providers: the candidates' addresses are read and matched here.
            var candidates = await query.Where(e => e.SourceIp != null || e.DestinationIp != null)
                .OrderByDescending(e => e.Id).Select(e => new { e.Id, e.SourceIp, e.DestinationIp }).Take(EventSearch.MaxRangeCandidates).ToListAsync(cancellationToken);
            // Paged here too, so the page's query names at most a page of ids (not every match: SQLite caps parameters).
            var inRange = candidates.Where(c => EventSearch.InRange(network.Value, c.SourceIp) || EventSearch.InRange(network.Value, c.DestinationIp)).Select(c => c.Id).ToList();
            var pageIds = inRange.Skip(paging.Skip).Take(paging.Size).ToList();
            var ranged = await WithRelations(db.Events.AsNoTracking()).Where(e => pageIds.Contains(e.Id)).OrderByDescending(e => e.Id).ToListAsync(cancellationToken);
            return TypedResults.Ok(new Page<EventView>(ranged.Select(e => EventView.From(e, withRaw: false)).ToList(), paging.Number, paging.Size, inRange.Count));
        }
        var total = await query.CountAsync(cancellationToken);
        var events = await WithRelations(query).OrderByDescending(e => e.Id).Skip(paging.Skip).Take(paging.Size).ToListAsync(cancellationToken);
        return TypedResults.Ok(new Page<EventView>(events.Select(e => EventView.From(e, withRaw: false)).ToList(), paging.Number, paging.Size, total));
    }

    internal static async Task<Results<Ok<EventView>, ProblemHttpResult>> Get(long id, GatehouseDb db, CurrentUser user, CancellationToken cancellationToken)
    {
        var sites = await user.SiteIdsAsync(cancellationToken);
        var evt = await WithRelations(db.Events.AsNoTracking()).FirstOrDefaultAsync(e => e.Id == id && sites.Contains(e.SiteId), cancellationToken);
        return evt is null ? Problems.NotFound($"There is no event {id} that you can see.") : TypedResults.Ok(EventView.From(evt, withRaw: true));
    }

    private static IQueryable<Event> WithRelations(IQueryable<Event> query) =>
        query.Include(e => e.Site).Include(e => e.Integration).Include(e => e.Incidents);
}
