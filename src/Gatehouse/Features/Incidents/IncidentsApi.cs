using System.Text.Json.Nodes;
using Gatehouse.Core.Incidents;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Incidents;

/// <summary>Incidents over the admin API: list, read, create, edit, close, link and unlink, history — on the caller's sites.</summary>
public static class IncidentsApi
{
    public static void MapIncidentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/incidents").WithTags("Incidents").RequireAuthorization();
        group.MapGet("/", List).WithName("ListIncidents").WithSummary("List incidents of your sites, newest first.");
        group.MapGet("/{id:long}", Get).WithName("GetIncident").WithSummary("One incident, with its raw data.");
        group.MapPost("/", Create).Accepts<JsonObject>("application/json").WithName("CreateIncident").WithSummary("Create an incident on a site.");
        group.MapPatch("/{id:long}", Edit).Accepts<JsonObject>("application/json").WithName("UpdateIncident").WithSummary("Change fields of an incident; every change is kept in its history.");
        group.MapPost("/{id:long}/close", Close).Accepts<JsonObject>("application/json").WithName("CloseIncident").WithSummary("Close an incident with its conclusion and disposition.");
        group.MapPost("/{id:long}/links", Link).Accepts<JsonObject>("application/json").WithName("LinkToIncident").WithSummary("Link incidents and events of the same site to the incident.");
        group.MapPost("/{id:long}/unlink", Unlink).Accepts<JsonObject>("application/json").WithName("UnlinkFromIncident").WithSummary("Remove links to incidents and events.");
        group.MapGet("/{id:long}/history", History).WithName("GetIncidentHistory").WithSummary("Every change to the incident, oldest first.");
        group.MapGet("/vocabulary", (IncidentLifecycle lifecycle) => TypedResults.Ok(lifecycle.Vocabulary))
            .WithName("GetIncidentVocabulary").WithSummary("The allowed statuses, stages, priorities, dispositions and severities.");
    }

    internal static async Task<Results<Ok<Page<IncidentView>>, ProblemHttpResult>> List(
        [AsParameters] ListFilter filter, GatehouseDb db, CurrentUser user, IncidentLifecycle lifecycle, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var paging = Paging.From(filter.Page, filter.PageSize, errors);
        var status = filter.Status is null ? null : lifecycle.Vocabulary.Canonical(Vocabulary.Status, filter.Status);
        if (filter.Status is not null && status is null)
        {
            errors.Add($"'status' must be one of {string.Join(", ", lifecycle.Vocabulary.Statuses)}.");
        }
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var query = filter.Apply(db.Incidents.AsNoTracking(), await user.SiteIdsAsync(cancellationToken));
        if (status is not null)
        {
            query = query.Where(i => i.Status == status);
        }
        var total = await query.CountAsync(cancellationToken);
        var incidents = await WithRelations(query).OrderByDescending(i => i.Id).Skip(paging!.Value.Skip).Take(paging.Value.Size).ToListAsync(cancellationToken);
        var linked = await lifecycle.LinkedAsync(incidents.Select(i => i.Id).ToList(), cancellationToken);
        return TypedResults.Ok(new Page<IncidentView>(incidents.Select(i => IncidentView.From(i, linked.GetValueOrDefault(i.Id, []), withRaw: false)).ToList(),
            paging.Value.Number, paging.Value.Size, total));
    }

    internal static async Task<Results<Ok<IncidentView>, ProblemHttpResult>> Get(long id, GatehouseDb db, CurrentUser user, IncidentLifecycle lifecycle, CancellationToken cancellationToken)
    {
        var sites = await user.SiteIdsAsync(cancellationToken);
        var incident = await WithRelations(db.Incidents.AsNoTracking()).FirstOrDefaultAsync(i => i.Id == id && sites.Contains(i.SiteId), cancellationToken);
        return incident is null ? NotFound(id) : TypedResults.Ok(await ViewAsync(incident, lifecycle, cancellationToken));
    }

    private static async Task<Results<Created<IncidentView>, ProblemHttpResult>> Create(
        HttpContext context, JsonBodies bodies, GatehouseDb db, CurrentUser user, IncidentLifecycle lifecycle, CancellationToken cancellationToken)
    {
        var (fields, refusal) = await bodies.ReadObjectAsync(context);
        if (fields is null)
        {
            return refusal!;
        }
        var siteName = fields["site"] is JsonValue s && s.TryGetValue<string>(out var name) ? name : null;
        fields.Remove("site");
        var raw = fields["raw"];
        fields.Remove("raw");
        if (siteName is null)
        {
            // The fields are checked against a site's vocabulary later; a member no incident has is named now too.
            var unknown = fields.Select(p => p.Key).Where(k => k != "dynamicFields" && Core.Incidents.IncidentModel.ByApiName(k) is null).Take(10)
                .Select(k => $"'{(k.Length > 100 ? k[..100] + "…" : k)}' is not a member of an incident (see GET /api/incidents/vocabulary and the README's incident fields).");
            return Problems.Invalid(["'site' is required: the name of the site the incident belongs to.", .. unknown]);
        }
        var normalized = Normalize.Name(siteName);
        var site = await db.Sites.AsNoTracking().FirstOrDefaultAsync(x => x.NormalizedName == normalized, cancellationToken);
        if (site is null || !await user.CanAccessSiteAsync(site.Id, cancellationToken))
        {
            return Problems.NotFound($"There is no site '{siteName}' that you can access.");
        }
        var (incident, errors) = await lifecycle.AddAsync(site.Id, fields, IncidentNaming.Api, Actor(user), "api", raw, cancellationToken);
        if (incident is null)
        {
            return Problems.Invalid(errors);
        }
        await lifecycle.SaveCreatedAsync(incident, cancellationToken);
        var saved = await WithRelations(db.Incidents.AsNoTracking()).FirstAsync(i => i.Id == incident.Id, cancellationToken);
        return TypedResults.Created($"/api/incidents/{saved.Id}", await ViewAsync(saved, lifecycle, cancellationToken));
    }

    private static Task<Results<Ok<IncidentView>, ProblemHttpResult>> Edit(long id, HttpContext context, JsonBodies bodies, CurrentUser user, IncidentLifecycle lifecycle, GatehouseDb db, CancellationToken cancellationToken) =>
        ChangeAsync(id, context, bodies, user, lifecycle, db, (incident, body) => lifecycle.EditAsync(incident, body, IncidentNaming.Api, Actor(user), cancellationToken), cancellationToken);

    private static Task<Results<Ok<IncidentView>, ProblemHttpResult>> Close(long id, HttpContext context, JsonBodies bodies, CurrentUser user, IncidentLifecycle lifecycle, GatehouseDb db, CancellationToken cancellationToken) =>
        ChangeAsync(id, context, bodies, user, lifecycle, db, (incident, body) =>
        {
            var unknown = body.Select(p => p.Key).Where(k => k is not ("conclusion" or "disposition")).ToList();
            return unknown.Count > 0
                ? Task.FromResult<IReadOnlyList<string>>(unknown.Select(k => $"'{k}' is not a member of a close; use conclusion and disposition.").ToList())
                : lifecycle.CloseAsync(incident, body["conclusion"], body["disposition"], IncidentNaming.Api, Actor(user), cancellationToken);
        }, cancellationToken);

    private static Task<Results<Ok<IncidentView>, ProblemHttpResult>> Link(long id, HttpContext context, JsonBodies bodies, CurrentUser user, IncidentLifecycle lifecycle, GatehouseDb db, CancellationToken cancellationToken) =>
        Links(id, context, bodies, link: true, user, lifecycle, db, cancellationToken);

    private static Task<Results<Ok<IncidentView>, ProblemHttpResult>> Unlink(long id, HttpContext context, JsonBodies bodies, CurrentUser user, IncidentLifecycle lifecycle, GatehouseDb db, CancellationToken cancellationToken) =>
        Links(id, context, bodies, link: false, user, lifecycle, db, cancellationToken);

    /// <summary>Incidents (IR Numbers or ids) and event ids to link or unlink: <c>{"incidents": [...], "events": [...]}</c>.</summary>
    private static Task<Results<Ok<IncidentView>, ProblemHttpResult>> Links(long id, HttpContext context, JsonBodies bodies, bool link, CurrentUser user, IncidentLifecycle lifecycle, GatehouseDb db, CancellationToken cancellationToken) =>
        ChangeAsync(id, context, bodies, user, lifecycle, db, (incident, body) =>
        {
            var errors = body.Select(p => p.Key).Where(k => k is not ("incidents" or "events"))
                .Select(k => $"'{k}' is not a member of a link; use incidents and events.").ToList();
            var incidents = new List<(long, string?)>();
            foreach (var number in body["incidents"] as JsonArray ?? [])
            {
                if (IncidentNumbers.Parse(number) is { } other)
                {
                    incidents.Add(other);
                }
                else
                {
                    errors.Add($"'incidents' holds {number?.ToJsonString() ?? "null"}, which is not an incident number (such as 20260113-42) or id.");
                }
            }
            var events = new List<long>();
            foreach (var item in body["events"] as JsonArray ?? [])
            {
                if (Core.Commands.CommandParameters.WholeNumber(item) is > 0 and var eventId)
                {
                    events.Add(eventId);
                }
                else
                {
                    errors.Add($"'events' holds {item?.ToJsonString() ?? "null"}, which is not an event id.");
                }
            }
            if (body["incidents"] is not (null or JsonArray) || body["events"] is not (null or JsonArray))
            {
                errors.Add("'incidents' and 'events' are lists.");
            }
            return errors.Count > 0
                ? Task.FromResult<IReadOnlyList<string>>(errors)
                : lifecycle.LinkAsync(incident, incidents.Distinct().ToList(), events.Distinct().ToList(), link, Actor(user), cancellationToken);
        }, cancellationToken);

    internal static async Task<Results<Ok<List<IncidentHistoryView>>, ProblemHttpResult>> History(long id, CurrentUser user, IncidentLifecycle lifecycle, CancellationToken cancellationToken)
    {
        var incident = await lifecycle.FindAsync(id, (await user.SiteIdsAsync(cancellationToken)).ToList(), cancellationToken);
        return incident is null ? NotFound(id) : TypedResults.Ok(await lifecycle.HistoryAsync(id, cancellationToken));
    }

    private static async Task<Results<Ok<IncidentView>, ProblemHttpResult>> ChangeAsync(
        long id, HttpContext context, JsonBodies bodies, CurrentUser user, IncidentLifecycle lifecycle, GatehouseDb db,
        Func<Incident, JsonObject, Task<IReadOnlyList<string>>> change, CancellationToken cancellationToken)
    {
        var incident = await lifecycle.FindAsync(id, (await user.SiteIdsAsync(cancellationToken)).ToList(), cancellationToken);
        if (incident is null)
        {
            return NotFound(id);
        }
        var (body, refusal) = await bodies.ReadObjectAsync(context);
        if (body is null)
        {
            return refusal!;
        }
        var errors = await change(incident, body);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var saved = await WithRelations(db.Incidents.AsNoTracking()).FirstAsync(i => i.Id == id, cancellationToken);
        return TypedResults.Ok(await ViewAsync(saved, lifecycle, cancellationToken));
    }

    private static async Task<IncidentView> ViewAsync(Incident incident, IncidentLifecycle lifecycle, CancellationToken cancellationToken)
    {
        var linked = await lifecycle.LinkedAsync([incident.Id], cancellationToken);
        return IncidentView.From(incident, linked.GetValueOrDefault(incident.Id, []), withRaw: true);
    }

    private static IncidentActor Actor(CurrentUser user) => new(user.Id, user.Username);

    private static ProblemHttpResult NotFound(long id) => Problems.NotFound($"There is no incident {id} that you can see.");

    private static IQueryable<Incident> WithRelations(IQueryable<Incident> query) =>
        query.Include(i => i.Site).Include(i => i.Integration).Include(i => i.Events);
}

