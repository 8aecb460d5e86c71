using System.Text.Json.Nodes;
using Gatehouse.Core.Commands;
using Gatehouse.Core.Incidents;
using Gatehouse.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Commands;

/// <summary>
/// What a built-in's parameters must also satisfy beyond their JSON Schema — GetIncidents' filter, fields and
/// paging — so a request that breaks it gets the same 400 listing every violation, not a command that ran and failed.
/// </summary>
public sealed class ParameterChecks(IOptions<GatehouseOptions> options)
{
    /// <summary>The parameters of CreateIncident and UpdateIncident that are not incident fields.</summary>
    private static readonly string[] NotFields = ["Incident Number", "Playbook", "Raw Data"];

    public IReadOnlyList<string> Check(CommandDefinition command, JsonObject parameters) => command.Name switch
    {
        "GetIncidents" or "GetIncidentsWithNewParameters" => IncidentQuery.Parse(parameters, options.Value.Incidents.Vocabulary()).Errors,
        "CreateIncident" or "UpdateIncident" => FieldErrors(parameters),
        _ => [],
    };

    /// <summary>Values outside the configured lists, wrong times, bad dynamic fields: what an edit of a blank incident would refuse.</summary>
    private IReadOnlyList<string> FieldErrors(JsonObject parameters)
    {
        var fields = new JsonObject();
        foreach (var (name, value) in parameters.Where(p => !NotFields.Contains(p.Key)))
        {
            fields[name] = value?.DeepClone();
        }
        var blank = new IncidentRecord(new Dictionary<IncidentField, JsonNode?>(), []);
        return IncidentEdits.Edit(blank, fields, IncidentNaming.Wire, options.Value.Incidents.Vocabulary()).Errors;
    }
}
