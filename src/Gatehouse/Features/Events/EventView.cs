using System.Text.Json.Nodes;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;

namespace Gatehouse.Features.Events;

/// <summary>Why a dismissed event was dismissed (by a person, a rule or a command).</summary>
public sealed record EventDismissal(string? ReasonCode, string? Reason);

/// <summary>A replay found the current definitions no longer make this event: when, why, and the event that stands for it, if any.</summary>
public sealed record EventSupersession(DateTimeOffset At, string? Reason, long? By);

public sealed record EventView(
    long Id,
    string Site,
    string Integration,
    EventStatus Status,
    DateTimeOffset CreatedAt,
    string? IngestionId,
    IReadOnlyDictionary<string, string> Fields,
    JsonNode? CustomFields,
    JsonNode? Raw,
    IReadOnlyList<long> IncidentIds,
    JsonNode? Techniques,
    JsonNode? Automation,
    EventDismissal? Dismissal = null,
    string? Item = null,
    DateTimeOffset? ReplayedAt = null,
    EventSupersession? Superseded = null)
{
    /// <summary>Needs the event's Site, Integration and Incidents loaded.</summary>
    public static EventView From(Event evt, bool withRaw) =>
        new(evt.Id, evt.Site!.Name, evt.Integration!.Name, evt.Status, evt.CreatedAt, evt.IngestionId,
            EventColumns.Read(evt),
            GatehouseJson.ParseStored(evt.CustomFieldsJson),
            withRaw ? GatehouseJson.ParseStored(evt.RawJson) : null,
            evt.Incidents.Select(i => i.IncidentId).Order().ToList(),
            evt.TechniquesJson is null ? new JsonArray() : GatehouseJson.ParseStored(evt.TechniquesJson),
            evt.AutomationJson is null ? null : GatehouseJson.ParseStored(evt.AutomationJson),
            evt.Status == EventStatus.Dismissed ? new EventDismissal(evt.DismissalReasonCode, evt.DismissalReason) : null,
            evt.ItemLabel,
            evt.ReplayedAt,
            evt.SupersededAt is { } at ? new EventSupersession(at, evt.SupersededReason, evt.SupersededById) : null);
}
