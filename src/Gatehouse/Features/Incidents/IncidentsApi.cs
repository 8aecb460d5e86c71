using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Incidents;

public static class IncidentsApi
{
    public static void MapIncidentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/incidents").WithTags("Incidents").RequireAuthorization();
        group.MapGet("/", List);
        group.MapGet("/{id:long}", Get);
    }

    internal static async Task<Results<Ok<Page<IncidentView>>, ProblemHttpResult>> List(
        [AsParameters] ListFilter filter, GatehouseDb db, CurrentUser user, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var valid = filter.Validate<IncidentStatus>(errors);
        if (valid is null)
        {
            return Problems.Invalid(errors);
        }
        var (paging, status) = valid.Value;
        var query = filter.Apply(db.Incidents.AsNoTracking(), await user.SiteIdsAsync(cancellationToken));
        if (status is not null)
        {
            query = query.Where(i => i.Status == status);
        }
        var total = await query.CountAsync(cancellationToken);
        var incidents = await WithRelations(query).OrderByDescending(i => i.Id).Skip(paging.Skip).Take(paging.Size).ToListAsync(cancellationToken);
        return TypedResults.Ok(new Page<IncidentView>(incidents.Select(i => IncidentView.From(i, withRaw: false)).ToList(), paging.Number, paging.Size, total));
    }

    internal static async Task<Results<Ok<IncidentView>, ProblemHttpResult>> Get(long id, GatehouseDb db, CurrentUser user, CancellationToken cancellationToken)
    {
        var sites = await user.SiteIdsAsync(cancellationToken);
        var incident = await WithRelations(db.Incidents.AsNoTracking()).FirstOrDefaultAsync(i => i.Id == id && sites.Contains(i.SiteId), cancellationToken);
        return incident is null ? Problems.NotFound($"There is no incident {id} that you can see.") : TypedResults.Ok(IncidentView.From(incident, withRaw: true));
    }

    private static IQueryable<Incident> WithRelations(IQueryable<Incident> query) =>
        query.Include(i => i.Site).Include(i => i.Integration).Include(i => i.Events);
}
