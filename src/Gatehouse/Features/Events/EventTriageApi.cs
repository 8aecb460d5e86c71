using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Gatehouse.Core.Incidents;
using Gatehouse.Features.Auth;
using Gatehouse.Features.Incidents;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Events;

public sealed record DismissRequest(string? Reason, string? ReasonCode);

/// <summary>Dismisses events of one site at once, all or none.</summary>
public sealed record BulkDismissRequest([property: Required] List<long>? Ids, string? Reason, string? ReasonCode);

/// <summary>The incident by id (42) or IR Number ("20261202-42").</summary>
public sealed record EventLinkRequest([property: Required] JsonNode? Incident);

/// <summary>
/// An analyst's work on events of their sites: dismiss (one or many), reopen, link to an incident of the same site and
/// unlink. Events of sites the user cannot access are not found. Dismissal goes through <see cref="EventTriage"/> and
/// links through the incident life cycle, as the remote commands do.
/// </summary>
public static class EventTriageApi
{
    public static void MapEventTriageApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/events").WithTags("Events").RequireAuthorization();
        group.MapPost("/{id:long}/dismiss", Dismiss).WithName("DismissEvent").WithSummary("Dismiss an event with a reason.");
        group.MapPost("/dismiss", DismissMany).WithName("DismissEvents").WithSummary("Dismiss several events at once, all or none (at most 500).");
        group.MapPost("/{id:long}/reopen", Reopen).WithName("ReopenEvent").WithSummary("Reopen a dismissed event (back to New; an escalated event stays with its incident).");
        group.MapPost("/{id:long}/link", Link).WithName("LinkEventToIncident").WithSummary("Link the event to an incident of its site (by id or IR Number).");
        group.MapPost("/{id:long}/unlink", Unlink).WithName("UnlinkEventFromIncident").WithSummary("Remove the event's link to an incident.");
    }

    private static async Task<Results<Ok<EventView>, ProblemHttpResult>> Dismiss(
        long id, DismissRequest request, GatehouseDb db, CurrentUser user, EventTriage triage, CancellationToken cancellationToken)
    {
        if (Reasons(request.Reason, request.ReasonCode) is { } problem)
        {
            return problem;
        }
        var evt = await VisibleAsync(db, user, id, cancellationToken);
        if (evt is null)
        {
            return NotFound(id);
        }
        if (EventTriage.WhyNotDismissed([evt]) is { } refusal)
        {
            return Problems.Conflict("event_escalated", refusal);
        }
        if (triage.Dismiss([evt], Text.Blank(request.ReasonCode), Text.Blank(request.Reason), Actor(user)).Count > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        return TypedResults.Ok(EventView.From(evt, withRaw: false));
    }

    private static async Task<Results<Ok<List<EventView>>, ProblemHttpResult>> DismissMany(
        BulkDismissRequest request, GatehouseDb db, CurrentUser user, EventTriage triage, CancellationToken cancellationToken)
    {
        var ids = request.Ids is { Count: <= EventTriage.MaxEventsPerCall } given ? given.Distinct().ToList() : null;
        if (ids is null || ids.Count == 0)
        {
            return Problems.Invalid([$"'ids' is required: 1 to {EventTriage.MaxEventsPerCall} event ids."]);
        }
        if (Reasons(request.Reason, request.ReasonCode) is { } problem)
        {
            return problem;
        }
        var sites = await user.SiteIdsAsync(cancellationToken);
        var events = await WithRelations(db.Events).Where(e => ids.Contains(e.Id) && sites.Contains(e.SiteId)).ToListAsync(cancellationToken);
        if (ids.Except(events.Select(e => e.Id)).ToList() is { Count: > 0 } missing)
        {
            return Problems.NotFound($"There is no event {string.Join(", ", missing.Take(20))}{(missing.Count > 20 ? ", …" : "")} that you can see: nothing was dismissed.");
        }
        if (EventTriage.WhyNotDismissed(events) is { } refusal)
        {
            return Problems.Conflict("event_escalated", refusal);
        }
        if (triage.Dismiss(events, Text.Blank(request.ReasonCode), Text.Blank(request.Reason), Actor(user)).Count > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        return TypedResults.Ok(events.OrderBy(e => e.Id).Select(e => EventView.From(e, withRaw: false)).ToList());
    }

    private static async Task<Results<Ok<EventView>, ProblemHttpResult>> Reopen(
        long id, GatehouseDb db, CurrentUser user, EventTriage triage, CancellationToken cancellationToken)
    {
        var evt = await VisibleAsync(db, user, id, cancellationToken);
        if (evt is null)
        {
            return NotFound(id);
        }
        if (evt.Status == EventStatus.Escalated)
        {
            return Problems.Conflict("event_escalated", $"Event {id} was escalated to an incident: work on it there (or unlink it from the incident).");
        }
        if (triage.Reopen(evt, Actor(user)))
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        return TypedResults.Ok(EventView.From(evt, withRaw: false));
    }

    private static Task<Results<Ok<EventView>, ProblemHttpResult>> Link(
        long id, EventLinkRequest request, GatehouseDb db, CurrentUser user, IncidentLifecycle lifecycle, CancellationToken cancellationToken) =>
        ChangeLinkAsync(id, request, link: true, db, user, lifecycle, cancellationToken);

    private static Task<Results<Ok<EventView>, ProblemHttpResult>> Unlink(
        long id, EventLinkRequest request, GatehouseDb db, CurrentUser user, IncidentLifecycle lifecycle, CancellationToken cancellationToken) =>
        ChangeLinkAsync(id, request, link: false, db, user, lifecycle, cancellationToken);

    private static async Task<Results<Ok<EventView>, ProblemHttpResult>> ChangeLinkAsync(
        long id, EventLinkRequest request, bool link, GatehouseDb db, CurrentUser user, IncidentLifecycle lifecycle, CancellationToken cancellationToken)
    {
        if (IncidentNumbers.Parse(request.Incident) is not { } number)
        {
            return Problems.Invalid(["'incident' is required: an incident id (42) or IR Number (\"20261202-42\")."]);
        }
        var evt = await VisibleAsync(db, user, id, cancellationToken);
        if (evt is null)
        {
            return NotFound(id);
        }
        var incident = await lifecycle.FindAsync(number, [evt.SiteId], cancellationToken);
        if (incident is null)
        {
            return Problems.NotFound($"There is no incident {number.Number ?? number.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)} on the event's site '{evt.Site!.Name}'.");
        }
        var errors = await lifecycle.LinkAsync(incident, [], [evt.Id], link, Actor(user), cancellationToken);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        await db.SaveChangesAsync(cancellationToken);
        var saved = await WithRelations(db.Events.AsNoTracking()).FirstAsync(e => e.Id == id, cancellationToken);
        return TypedResults.Ok(EventView.From(saved, withRaw: false));
    }

    private static ProblemHttpResult? Reasons(string? reason, string? code) =>
        reason is { Length: > 2000 } ? Problems.Invalid(["'reason' is longer than 2000 characters."])
        : code is { Length: > 200 } ? Problems.Invalid(["'reasonCode' is longer than 200 characters."])
        : null;

    private static async Task<Event?> VisibleAsync(GatehouseDb db, CurrentUser user, long id, CancellationToken cancellationToken)
    {
        var sites = await user.SiteIdsAsync(cancellationToken);
        return await WithRelations(db.Events).FirstOrDefaultAsync(e => e.Id == id && sites.Contains(e.SiteId), cancellationToken);
    }

    private static IQueryable<Event> WithRelations(IQueryable<Event> query) => query.Include(e => e.Site).Include(e => e.Integration).Include(e => e.Incidents);

    private static ProblemHttpResult NotFound(long id) => Problems.NotFound($"There is no event {id} that you can see.");

    private static IncidentActor Actor(CurrentUser user) => new(user.Id, user.Username);

}
