using System.Text.Json.Nodes;
using Gatehouse.Core.Incidents;

namespace Gatehouse.Core.Tests.Incidents;

/// <summary>Incident records built in tests, field by field.</summary>
internal static class IncidentSample
{
    public static IncidentRecord Record(
        long id = 7, string title = "Phishing from a lookalike domain", string status = "Open", string severity = "High",
        string? stage = "Triage", string? owner = "alice", string[]? tags = null, DateTimeOffset? created = null,
        JsonObject? dynamic = null, string? disposition = null, DateTimeOffset? closed = null, string? closedBy = null)
    {
        var at = created ?? new DateTimeOffset(2026, 1, 13, 9, 30, 0, TimeSpan.Zero);
        var values = new Dictionary<IncidentField, JsonNode?>
        {
            [IncidentModel.Number] = IncidentNumbers.Format(id, at),
            [IncidentModel.Type] = "Phishing",
            [IncidentModel.Title] = title,
            [IncidentModel.Status] = status,
            [IncidentModel.Severity] = severity,
            [IncidentModel.Stage] = stage,
            [IncidentModel.Owner] = owner,
            [IncidentModel.Disposition] = disposition,
            [IncidentModel.Tags] = new JsonArray((tags ?? ["mail", "credential theft"]).Select(t => (JsonNode)t).ToArray()),
            [IncidentModel.Team] = new JsonArray(),
            [IncidentModel.Created] = IncidentRecord.Time(at),
            [IncidentModel.Modified] = IncidentRecord.Time(at),
            [IncidentModel.Closed] = IncidentRecord.Time(closed),
            [IncidentModel.ClosedBy] = closedBy,
        };
        return new IncidentRecord(values, dynamic ?? new JsonObject { ["Customer"] = new JsonObject { ["Name"] = "Contoso", ["Country"] = "FR", ["Seats"] = 120 } });
    }
}
