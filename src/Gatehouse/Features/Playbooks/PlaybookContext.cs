using System.Text.Json.Nodes;
using Gatehouse.Core.Intake;
using Gatehouse.Core.Rules;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;

namespace Gatehouse.Features.Playbooks;

/// <summary>
/// What a run's templates and conditions read: <c>$.run</c>, <c>$.event</c> or <c>$.incident</c>
/// (fields by display name — <c>Severity</c>, <c>Source IP</c> — plus custom fields, <c>Raw</c> and
/// <c>Techniques</c>), and <c>$.tasks.&lt;id&gt;</c> with each finished task's output.
/// </summary>
public static class PlaybookContext
{
    public static JsonObject Build(PlaybookRun run, Event? evt, Incident? incident)
    {
        var context = new JsonObject
        {
            ["run"] = new JsonObject { ["id"] = run.Id, ["playbook"] = run.PlaybookName, ["version"] = run.Version, ["trigger"] = run.Trigger },
            ["tasks"] = new JsonObject(),
        };
        if (evt is not null)
        {
            context["event"] = EventNode(evt);
        }
        if (incident is not null)
        {
            context["incident"] = IncidentNode(incident);
        }
        foreach (var task in run.Tasks.Where(t => t.OutputJson is not null || t.Error is not null))
        {
            SetTask(context, task);
        }
        return context;
    }

    public static void SetTask(JsonObject context, PlaybookTaskRun task)
    {
        var output = task.OutputJson is null ? new JsonObject() : GatehouseJson.ParseStored(task.OutputJson) as JsonObject ?? [];
        output["status"] = task.Status.ToString();
        output["error"] ??= task.Error;
        context["tasks"]![task.TaskId] = output;
    }

    /// <summary>The condition subject: paths into the context, and plain names for the event's or incident's fields.</summary>
    public static RuleSubject Subject(JsonObject context)
    {
        var subject = (context["event"] ?? context["incident"]) as JsonObject ?? [];
        var standard = subject.Where(kv => kv.Value is JsonValue).ToDictionary(kv => kv.Key, kv => kv.Value!.ToString(), StringComparer.OrdinalIgnoreCase);
        return new RuleSubject(context, standard, subject);
    }

    private static JsonObject EventNode(Event evt)
    {
        var node = new JsonObject { ["Id"] = evt.Id, ["Status"] = evt.Status.ToString() };
        foreach (var (field, value) in EventColumns.Read(evt))
        {
            node[field] = value;
        }
        AddCustom(node, evt.CustomFieldsJson);
        node["Raw"] = GatehouseJson.ParseStored(evt.RawJson);
        node["Techniques"] = evt.TechniquesJson is null ? new JsonArray() : GatehouseJson.ParseStored(evt.TechniquesJson);
        return node;
    }

    /// <summary>The incident by its wire names (IR Number, Title, Status, …), its id, events, and dynamic fields as "section - field".</summary>
    private static JsonObject IncidentNode(Incident incident)
    {
        var record = Incidents.IncidentWire.Record(incident, []);
        var node = new JsonObject { ["Id"] = incident.Id, ["Number"] = incident.Number };
        foreach (var field in Core.Incidents.IncidentModel.Defaults.Where(f => f != Core.Incidents.IncidentModel.LinkedIncidents))
        {
            node[field.WireName] = record[field]?.DeepClone();
        }
        node["Events"] = new JsonArray(incident.Events.Select(e => (JsonNode)e.EventId).ToArray());
        foreach (var (section, fields) in record.DynamicSections)
        {
            foreach (var (name, value) in fields as JsonObject ?? [])
            {
                node[Core.Incidents.IncidentModel.DynamicName(section, name)] = value?.DeepClone();
                node.TryAdd(name, value?.DeepClone());
            }
        }
        return node;
    }

    private static void AddCustom(JsonObject node, string customJson)
    {
        if (GatehouseJson.ParseStored(customJson) is not JsonObject custom)
        {
            return;
        }
        foreach (var (name, value) in custom)
        {
            if (!node.ContainsKey(name))
            {
                node[name] = value?.DeepClone();
            }
        }
    }
}
