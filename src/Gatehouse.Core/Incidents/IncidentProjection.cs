using System.Text.Json.Nodes;

namespace Gatehouse.Core.Incidents;

/// <summary>An incident as a row of GetIncidents: the chosen static fields by wire name, then the chosen dynamic fields as "section - field".</summary>
public static class IncidentProjection
{
    /// <param name="dynamicFields">Sections and their fields to return; null returns none. An absent field is returned as null.</param>
    public static JsonObject Row(IncidentRecord incident, IEnumerable<IncidentField> staticFields, IReadOnlyList<(string Section, string Field)>? dynamicFields)
    {
        var row = new JsonObject();
        foreach (var field in staticFields)
        {
            row[field.WireName] = field.TextOnWire && incident[field] is JsonArray items
                ? string.Join(", ", items.Select(i => i?.GetValue<string>()))
                : incident[field]?.DeepClone();
        }
        foreach (var (section, field) in dynamicFields ?? [])
        {
            row[IncidentModel.DynamicName(section, field)] = incident.Dynamic(section, field)?.DeepClone();
        }
        return row;
    }
}
