using System.Text.Json.Nodes;
using Gatehouse.Core.Incidents;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;

namespace Gatehouse.Features.Incidents;

/// <summary>An incident row as the incident model's record, and a planned change written back onto the row.</summary>
public static class IncidentWire
{
    /// <summary>Needs the incident's Site and Events loaded; <paramref name="eventRaw"/> only when it was asked for.</summary>
    public static IncidentRecord Record(Incident incident, IReadOnlyList<string> linkedIncidents, JsonArray? eventRaw = null)
    {
        var values = new Dictionary<IncidentField, JsonNode?>
        {
            [IncidentModel.Number] = incident.Number,
            [IncidentModel.Type] = incident.IncidentType,
            [IncidentModel.Title] = incident.Title,
            [IncidentModel.Description] = incident.Description,
            [IncidentModel.Status] = incident.Status,
            [IncidentModel.Severity] = incident.Severity,
            [IncidentModel.Stage] = incident.Stage,
            [IncidentModel.Priority] = incident.Priority,
            [IncidentModel.Disposition] = incident.Disposition,
            [IncidentModel.Tags] = GatehouseJson.ParseStored(incident.TagsJson),
            [IncidentModel.Owner] = incident.Owner,
            [IncidentModel.Creator] = incident.Creator,
            [IncidentModel.Timezone] = incident.Timezone,
            [IncidentModel.Created] = IncidentRecord.Time(incident.CreatedAt),
            [IncidentModel.Modified] = IncidentRecord.Time(incident.ModifiedAt),
            [IncidentModel.Closed] = IncidentRecord.Time(incident.ClosedAt),
            [IncidentModel.ClosedBy] = incident.ClosedBy,
            [IncidentModel.DueDate] = IncidentRecord.Time(incident.DueDate),
            [IncidentModel.Playbook] = incident.Playbook,
            [IncidentModel.Conclusion] = incident.Conclusion,
            [IncidentModel.Team] = GatehouseJson.ParseStored(incident.TeamJson),
            [IncidentModel.LinkedIncidents] = new JsonArray(linkedIncidents.Order(StringComparer.Ordinal).Select(n => (JsonNode)n).ToArray()),
            [IncidentModel.IncidentRaw] = incident.RawJson is null ? null : GatehouseJson.ParseStored(incident.RawJson),
            [IncidentModel.EventRaw] = eventRaw,
            [IncidentModel.Site] = incident.Site?.Name,
            [IncidentModel.ExternalId] = incident.ExternalId,
            [IncidentModel.EventIds] = new JsonArray(incident.Events.Select(e => e.EventId).Order().Select(id => (JsonNode)id).ToArray()),
        };
        var dynamic = GatehouseJson.ParseStored(incident.DynamicFieldsJson) as JsonObject ?? [];
        return new IncidentRecord(values, dynamic);
    }

    /// <summary>Writes planned changes onto the row and stamps Date Modified.</summary>
    public static void Apply(Incident incident, IEnumerable<FieldChange> changes, DateTimeOffset now)
    {
        var dynamic = GatehouseJson.ParseStored(incident.DynamicFieldsJson) as JsonObject ?? [];
        foreach (var change in changes)
        {
            if (change.Field is null)
            {
                SetDynamic(dynamic, change.Section!, change.DynamicField!, change.To);
                continue;
            }
            var text = change.To is JsonValue v ? v.GetValue<string>() : null;
            var field = change.Field;
            if (field == IncidentModel.Type) { incident.IncidentType = text!; }
            else if (field == IncidentModel.Title) { incident.Title = text!; }
            else if (field == IncidentModel.Description) { incident.Description = text; }
            else if (field == IncidentModel.Status) { incident.Status = text!; }
            else if (field == IncidentModel.Severity) { incident.Severity = text!; }
            else if (field == IncidentModel.Stage) { incident.Stage = text; }
            else if (field == IncidentModel.Priority) { incident.Priority = text; }
            else if (field == IncidentModel.Disposition) { incident.Disposition = text; }
            else if (field == IncidentModel.Tags) { incident.TagsJson = change.To?.ToJsonString() ?? "[]"; }
            else if (field == IncidentModel.Owner) { incident.Owner = text; }
            else if (field == IncidentModel.Timezone) { incident.Timezone = text; }
            else if (field == IncidentModel.DueDate) { incident.DueDate = IncidentRecord.ParseTime(change.To); }
            else if (field == IncidentModel.Conclusion) { incident.Conclusion = text; }
            else if (field == IncidentModel.Team) { incident.TeamJson = change.To?.ToJsonString() ?? "[]"; }
            else if (field == IncidentModel.Closed) { incident.ClosedAt = IncidentRecord.ParseTime(change.To); }
            else if (field == IncidentModel.ClosedBy) { incident.ClosedBy = text; }
            else { throw new InvalidOperationException($"{field.WireName} is not written by an edit."); }
        }
        incident.DynamicFieldsJson = dynamic.ToJsonString();
        incident.ModifiedAt = now;
        incident.Version++;
    }

    private static void SetDynamic(JsonObject sections, string section, string field, JsonNode? value)
    {
        var sectionName = sections.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, section, StringComparison.OrdinalIgnoreCase)) ?? section;
        if (sections[sectionName] is not JsonObject fields)
        {
            fields = [];
            sections[sectionName] = fields;
        }
        var fieldName = fields.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, field, StringComparison.OrdinalIgnoreCase)) ?? field;
        if (value is null)
        {
            fields.Remove(fieldName);
            if (fields.Count == 0)
            {
                sections.Remove(sectionName);
            }
            return;
        }
        fields[fieldName] = value.DeepClone();
    }
}
