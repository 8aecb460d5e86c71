using System.Text.Json.Nodes;
using Gatehouse.Core.Incidents;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;

namespace Gatehouse.Features.Incidents;

/// <summary>An incident in the admin API: the incident model's fields by their API names (wire names in <see cref="IncidentModel"/>).</summary>
public sealed record IncidentView(
    long Id,
    string Number,
    string Site,
    string? Integration,
    string IncidentType,
    string Title,
    string? Description,
    string Status,
    string Severity,
    string? Stage,
    string? Priority,
    string? Disposition,
    IReadOnlyList<string> Tags,
    string? Owner,
    string? Creator,
    string? Timezone,
    DateTimeOffset CreatedAt,
    DateTimeOffset ModifiedAt,
    DateTimeOffset? ClosedAt,
    string? ClosedBy,
    DateTimeOffset? DueDate,
    string? Playbook,
    string? Conclusion,
    IReadOnlyList<string> InvestigationTeam,
    IReadOnlyList<string> LinkedIncidents,
    string? ExternalId,
    string? IngestionId,
    JsonNode? DynamicFields,
    JsonNode? Raw,
    IReadOnlyList<long> EventIds)
{
    /// <summary>Needs the incident's Site, Integration and Events loaded.</summary>
    public static IncidentView From(Incident incident, IReadOnlyList<string> linked, bool withRaw) =>
        new(incident.Id, incident.Number, incident.Site!.Name, incident.Integration?.Name, incident.IncidentType,
            incident.Title, incident.Description, incident.Status, incident.Severity, incident.Stage, incident.Priority, incident.Disposition,
            Texts(incident.TagsJson), incident.Owner, incident.Creator, incident.Timezone,
            incident.CreatedAt, incident.ModifiedAt, incident.ClosedAt, incident.ClosedBy, incident.DueDate, incident.Playbook, incident.Conclusion,
            Texts(incident.TeamJson), linked.Order(StringComparer.Ordinal).ToList(), incident.ExternalId, incident.IngestionId,
            GatehouseJson.ParseStored(incident.DynamicFieldsJson),
            withRaw && incident.RawJson is not null ? GatehouseJson.ParseStored(incident.RawJson) : null,
            incident.Events.Select(e => e.EventId).Order().ToList());

    private static List<string> Texts(string json) =>
        GatehouseJson.ParseStored(json) is JsonArray items ? items.Select(i => i?.GetValue<string>() ?? "").ToList() : [];
}
