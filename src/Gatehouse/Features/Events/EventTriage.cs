using Gatehouse.Features.Audit;
using Gatehouse.Features.Incidents;
using Gatehouse.Storage;

namespace Gatehouse.Features.Events;

/// <summary>
/// The one place an event's status is changed by a person or a command: dismissed with its reason, or reopened.
/// Each change joins the caller's transaction with its audit row (before and after); an event already in the
/// state asked for is left as it is, with no row.
/// </summary>
public sealed class EventTriage(AuditLog audit)
{
    public const int MaxEventsPerCall = 500;

    /// <summary>
    /// Why these events cannot be dismissed, or null: an escalated event still linked to an incident is worked on there,
    /// so it is neither dismissed nor (through a dismissal) reopened to New behind the incident's back. Needs the
    /// events' Incidents loaded.
    /// </summary>
    public static string? WhyNotDismissed(IEnumerable<Event> events) =>
        events.Where(e => e.Status == EventStatus.Escalated && e.Incidents.Count > 0).Select(e => e.Id).Order().ToList() is { Count: > 0 } held
            ? $"Event {string.Join(", ", held.Take(20))}{(held.Count > 20 ? ", …" : "")} {(held.Count == 1 ? "was" : "were")} escalated to an incident: work on {(held.Count == 1 ? "it" : "them")} there, or unlink {(held.Count == 1 ? "it" : "them")} from the incident first. Nothing was dismissed."
            : null;

    /// <summary>Dismisses the events; returns those that changed.</summary>
    public List<Event> Dismiss(IEnumerable<Event> events, string? reasonCode, string? reason, IncidentActor actor)
    {
        var changed = new List<Event>();
        foreach (var evt in events)
        {
            if (evt.Status == EventStatus.Dismissed && evt.DismissalReasonCode == reasonCode && evt.DismissalReason == reason)
            {
                continue;
            }
            var before = State(evt);
            (evt.Status, evt.DismissalReasonCode, evt.DismissalReason, evt.StatusByPerson) = (EventStatus.Dismissed, reasonCode, reason, true);
            audit.RecordAs(AuditActions.EventDismissed, actor.UserId, actor.Username, Target(evt), new { From = before, To = State(evt) }, actor.KeyId);
            changed.Add(evt);
        }
        return changed;
    }

    /// <summary>
    /// A dismissed event back to New, its reason cleared (the audit row keeps it). An escalated event stays
    /// escalated: its incident is where it is worked on.
    /// </summary>
    public bool Reopen(Event evt, IncidentActor actor)
    {
        if (evt.Status != EventStatus.Dismissed)
        {
            return false;
        }
        var before = State(evt);
        (evt.Status, evt.DismissalReasonCode, evt.DismissalReason, evt.StatusByPerson) = (EventStatus.New, null, null, true);
        audit.RecordAs(AuditActions.EventReopened, actor.UserId, actor.Username, Target(evt), new { From = before, To = State(evt) }, actor.KeyId);
        return true;
    }

    public static string Target(Event evt) => $"event {evt.Id}";

    private static object State(Event evt) => new { evt.Status, ReasonCode = evt.DismissalReasonCode, Reason = evt.DismissalReason };
}
