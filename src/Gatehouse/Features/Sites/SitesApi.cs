using System.ComponentModel.DataAnnotations;
using Gatehouse.Core.Auth;
using Gatehouse.Features.Audit;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Sites;

public sealed record SiteRequest([property: Required] string? Name, [property: Required] SiteKind? Kind);

/// <summary>Only the members given change.</summary>
public sealed record SitePatch(string? Name, SiteKind? Kind);

public sealed record SiteView(int Id, string Name, SiteKind Kind, DateTimeOffset CreatedAt)
{
    public static SiteView From(Site site) => new(site.Id, site.Name, site.Kind, site.CreatedAt);
}

/// <summary>
/// Sites: created, renamed, re-kinded and deleted by administrators, each change with its audit row. A site is
/// deleted only when nothing but user memberships refers to it (keys, ingestions, events, incidents, rules,
/// connections, playbook runs): the refusal lists what is left, so nothing is lost by accident.
/// </summary>
public static class SitesApi
{
    public const string DefaultSite = "Security Operations";

    public static void MapSitesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/sites").WithTags("Sites").RequireAuthorization();
        group.MapGet("/", List).WithName("ListSites").WithSummary("List the sites you can access.").WithListPaging();
        group.MapGet("/{id:int}", Get).WithName("GetSite").WithSummary("One site you can access.");
        group.MapPost("/", Create).RequireAuthorization(Policies.Administrator).WithName("CreateSite").WithSummary("Create a site.");
        group.MapPatch("/{id:int}", Patch).RequireAuthorization(Policies.Administrator)
            .WithName("UpdateSite").WithSummary("Rename a site or change its kind.")
            .WithDescription("Renaming changes the request URLs of the site's keys: senders must use the new name.");
        group.MapDelete("/{id:int}", Delete).RequireAuthorization(Policies.Administrator)
            .WithName("DeleteSite").WithSummary("Delete a site nothing refers to any more (user memberships are removed with it).");
    }

    internal static async Task<Ok<List<SiteView>>> List(GatehouseDb db, CurrentUser user, CancellationToken cancellationToken)
    {
        var ids = await user.SiteIdsAsync(cancellationToken);
        var sites = await db.Sites.AsNoTracking().Where(s => ids.Contains(s.Id)).OrderBy(s => s.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(sites.Select(SiteView.From).ToList());
    }

    private static async Task<Results<Ok<SiteView>, ProblemHttpResult>> Get(int id, GatehouseDb db, CurrentUser user, CancellationToken cancellationToken)
    {
        var site = await user.CanAccessSiteAsync(id, cancellationToken) ? await db.Sites.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken) : null;
        return site is null ? Problems.NotFound($"There is no site {id} that you can access.") : TypedResults.Ok(SiteView.From(site));
    }

    private static async Task<Results<Created<SiteView>, ProblemHttpResult>> Create(
        SiteRequest request, GatehouseDb db, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var name = CheckName(request.Name, errors);
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
        await audit.SaveCreatedAsync(AuditActions.SiteCreated, () => (site.Name, SiteView.From(site), null), cancellationToken);
        return TypedResults.Created($"/api/sites/{site.Id}", SiteView.From(site));
    }

    private static async Task<Results<Ok<SiteView>, ProblemHttpResult>> Patch(
        int id, SitePatch patch, GatehouseDb db, AuditLog audit, CancellationToken cancellationToken)
    {
        var site = await db.Sites.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (site is null)
        {
            return Problems.NotFound($"There is no site {id}.");
        }
        var errors = new List<string>();
        var name = patch.Name is null ? null : CheckName(patch.Name, errors);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var before = SiteView.From(site);
        if (name is not null && Normalize.Name(name) != site.NormalizedName)
        {
            var normalized = Normalize.Name(name);
            if (await db.Sites.AnyAsync(s => s.NormalizedName == normalized && s.Id != id, cancellationToken))
            {
                return Duplicates.Site(name);
            }
            site.NormalizedName = normalized;
        }
        site.Name = name ?? site.Name;
        site.Kind = patch.Kind ?? site.Kind;
        var after = SiteView.From(site);
        if (audit.RecordChange(AuditActions.SiteUpdated, site.Name, before, after))
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        return TypedResults.Ok(after);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(int id, GatehouseDb db, AuditLog audit, CancellationToken cancellationToken)
    {
        var site = await db.Sites.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (site is null)
        {
            return Problems.NotFound($"There is no site {id}.");
        }
        var references = await ReferencesAsync(db, id, cancellationToken);
        if (references.Count > 0)
        {
            return Problems.Conflict("site_in_use",
                $"The site '{site.Name}' still has {string.Join(", ", references)}: delete them first. A site that holds events, incidents or ingestions stays, for their history.");
        }
        if (site.Kind == SiteKind.Internal && !await db.Sites.AnyAsync(s => s.Id != id && s.Kind == SiteKind.Internal, cancellationToken))
        {
            return Problems.Conflict("last_internal_site", $"'{site.Name}' is the last internal site: create another internal site first.");
        }
        var members = await db.Users.Where(u => u.Sites.Any(s => s.SiteId == id)).Select(u => u.Username).OrderBy(n => n).ToListAsync(cancellationToken);
        audit.Record(AuditActions.SiteDeleted, target: site.Name, detail: new { Site = SiteView.From(site), RemovedFromUsers = members });
        db.Sites.Remove(site);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>What still refers to a site, counted by kind ("2 keys", "1 event").</summary>
    private static async Task<List<string>> ReferencesAsync(GatehouseDb db, int id, CancellationToken cancellationToken)
    {
        var counts = new (int Count, string One, string Many)[]
        {
            (await db.WebhookKeys.CountAsync(k => k.SiteId == id, cancellationToken), "key", "keys"),
            (await db.Ingestions.CountAsync(i => i.SiteId == id, cancellationToken), "ingestion", "ingestions"),
            (await db.Events.CountAsync(e => e.SiteId == id, cancellationToken), "event", "events"),
            (await db.Incidents.CountAsync(i => i.SiteId == id, cancellationToken), "incident", "incidents"),
            (await db.AutomationRules.CountAsync(r => r.SiteId == id, cancellationToken), "automation rule", "automation rules"),
            (await db.IntegrationConnections.CountAsync(c => c.SiteId == id, cancellationToken), "integration connection", "integration connections"),
            (await db.PlaybookRuns.CountAsync(r => r.SiteId == id, cancellationToken), "playbook run", "playbook runs"),
        };
        return Counted.Describe(counts);
    }

    private static string? CheckName(string? given, List<string> errors)
    {
        var name = given?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            errors.Add("'name' is required.");
            return null;
        }
        if (name.Length > 200 || name.Any(c => c is '/' or '\\') || Core.Auth.VisibleNames.HasHiddenCharacters(name))
        {
            errors.Add("'name' must be at most 200 characters, without '/', '\\', control or invisible characters.");
            return null;
        }
        return name;
    }
}
