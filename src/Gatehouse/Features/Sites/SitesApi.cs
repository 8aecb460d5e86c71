using Gatehouse.Core.Auth;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Sites;

public sealed record SiteRequest(string? Name, SiteKind? Kind);

public sealed record SiteView(int Id, string Name, SiteKind Kind, DateTimeOffset CreatedAt)
{
    public static SiteView From(Site site) => new(site.Id, site.Name, site.Kind, site.CreatedAt);
}

public static class SitesApi
{
    public const string DefaultSite = "Security Operations";

    public static void MapSitesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/sites").WithTags("Sites").RequireAuthorization();
        group.MapGet("/", List);
        group.MapPost("/", Create).RequireAuthorization(Policies.Administrator);
    }

    internal static async Task<Ok<List<SiteView>>> List(GatehouseDb db, CurrentUser user, CancellationToken cancellationToken)
    {
        var ids = await user.SiteIdsAsync(cancellationToken);
        var sites = await db.Sites.AsNoTracking().Where(s => ids.Contains(s.Id)).OrderBy(s => s.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(sites.Select(SiteView.From).ToList());
    }

    private static async Task<Results<Created<SiteView>, ProblemHttpResult>> Create(
        SiteRequest request, GatehouseDb db, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            errors.Add("'name' is required.");
        }
        else if (name.Length > 200 || name.Any(c => char.IsControl(c) || c is '/' or '\\'))
        {
            errors.Add("'name' must be at most 200 characters, without '/', '\\' or control characters.");
        }
        if (request.Kind is null)
        {
            errors.Add("'kind' is required: Internal or Client.");
        }
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var normalized = Normalize.Name(name!);
        if (await db.Sites.AnyAsync(s => s.NormalizedName == normalized, cancellationToken))
        {
            return Duplicates.Site(name!);
        }
        var site = new Site { Name = name!, NormalizedName = normalized, Kind = request.Kind!.Value, CreatedAt = time.GetUtcNow() };
        db.Sites.Add(site);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/sites/{site.Id}", SiteView.From(site));
    }
}
