using System.Text.Json.Nodes;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;

namespace Gatehouse.Features.Incidents;

public sealed record IncidentView(
    long Id,
    string Number,
    string Site,
    string? Integration,
    string IncidentType,
    string Title,
    string? Description,
    string Severity,
    IncidentStatus Status,
    string? Owner,
    string? ExternalId,
    DateTimeOffset CreatedAt,
    string? IngestionId,
    JsonNode? CustomFields,
    JsonNode? Raw,
    IReadOnlyList<long> EventIds)
{
    /// <summary>Needs the incident's Site, Integration and Events loaded.</summary>
    public static IncidentView From(Incident incident, bool withRaw) =>
        new(incident.Id, incident.Number, incident.Site!.Name, incident.Integration?.Name, incident.IncidentType,
            incident.Title, incident.Description, incident.Severity, incident.Status, incident.Owner, incident.ExternalId,
            incident.CreatedAt, incident.IngestionId,
            GatehouseJson.ParseStored(incident.CustomFieldsJson),
            withRaw && incident.RawJson is not null ? GatehouseJson.ParseStored(incident.RawJson) : null,
            incident.Events.Select(e => e.EventId).Order().ToList());
}
