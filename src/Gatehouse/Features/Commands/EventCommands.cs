using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Commands;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Commands;

/// <summary>GetEvents, DismissEvents and SetEventTechniques, on the request's site only.</summary>
public static class EventCommands
{
    public static async Task<CommandResponse> GetAsync(CommandContext context, JsonObject parameters, CancellationToken cancellationToken)
    {
        var (index, size) = Paging(parameters);
        var query = context.Db.CurrentEvents.Where(e => e.SiteId == context.Site.Id);
        if (CommandParameters.ParseDate(parameters["Start Time"]) is { } start)
        {
            query = query.Where(e => e.CreatedAt >= start);
        }
        if (CommandParameters.ParseDate(parameters["End Time"]) is { } end)
        {
            query = query.Where(e => e.CreatedAt < end);
        }
        if (IncidentCommands.Text(parameters, "Status") is { } status)
        {
            var wanted = Enum.Parse<EventStatus>(status, ignoreCase: true);
            query = query.Where(e => e.Status == wanted);
        }
        var total = await query.CountAsync(cancellationToken);
        var events = await query.OrderBy(e => e.Id).Skip(index * size).Take(size).ToListAsync(cancellationToken);
        var rows = new JsonArray(events.Select(e =>
        {
            var row = new JsonObject { ["Event ID"] = e.Id, ["Status"] = e.Status.ToString() };
            foreach (var (field, value) in EventColumns.Read(e))
            {
                row[field] = value;
            }
            row["Techniques"] = e.TechniquesJson is null ? new JsonArray() : GatehouseJson.ParseStored(e.TechniquesJson);
            return (JsonNode)row;
        }).ToArray());
        var totalPages = (total + size - 1) / size;
        return new CommandResponse("", new JsonObject { ["count"] = events.Count, ["total"] = total, ["totalPages"] = totalPages },
            new JsonObject { ["events"] = rows, ["total"] = total, ["totalPages"] = totalPages, ["pageIndex"] = index, ["pageSize"] = size }, null)
        {
            OutputData = new JsonObject { ["TotalPages"] = totalPages },
        };
    }

    public static async Task<CommandResponse> DismissAsync(CommandContext context, JsonObject parameters, CancellationToken cancellationToken)
    {
        var sourceId = CommandParameters.WholeNumber(parameters["Source Event ID"]) ?? throw new CommandFailedException("'Source Event ID' must be an event id.");
        var relevant = Ids(parameters["Relevant Event IDs"], "Relevant Event IDs").Where(id => id != sourceId).ToList();
        var events = await SiteEventsAsync(context, [sourceId, .. relevant], cancellationToken);
        var ordered = events.OrderBy(e => e.Id != sourceId).ThenBy(e => e.Id).ToList();
        if (Events.EventTriage.WhyNotDismissed(ordered) is { } refusal)
        {
            throw new CommandFailedException(refusal);
        }
        context.Triage.Dismiss(ordered, IncidentCommands.Text(parameters, "Reason Code"), IncidentCommands.Text(parameters, "Dismissal Reason"),
            new Incidents.IncidentActor(context.User.Id, context.User.Username, context.KeyId));
        var dismissed = new JsonArray();
        foreach (var evt in ordered)
        {
            dismissed.Add(new JsonObject { ["eventId"] = evt.Id, ["type"] = evt.Id == sourceId ? "Source" : "Relevant" });
        }
        await context.Db.SaveChangesAsync(cancellationToken);
        return new CommandResponse("", new JsonObject { ["dismissedEvents"] = dismissed }, new JsonObject { ["dismissedEvents"] = dismissed.DeepClone() }, null);
    }

    /// <summary>Techniques as IDs (T1059.001) or, with the ATT&amp;CK catalogue loaded, exact names.</summary>
    public static async Task<CommandResponse> SetTechniquesAsync(CommandContext context, JsonObject parameters, CancellationToken cancellationToken)
    {
        var chosen = new List<Core.Attack.TechniqueMatch>();
        var refused = new List<string>();
        foreach (var item in parameters["Techniques"] as JsonArray ?? [])
        {
            var text = item?.GetValueKind() == JsonValueKind.String ? item.GetValue<string>().Trim() : null;
            var asId = text?.ToUpperInvariant();
            if (asId is not null && ArtifactExtractor.AttackIds(asId) is [var id] && id == asId && !id.StartsWith("TA", StringComparison.Ordinal))
            {
                var technique = context.Attack.Technique(id);
                if (technique is null && !context.Attack.IsEmpty)
                {
                    refused.Add($"{text} (not in the loaded MITRE ATT&CK catalogue)");
                    continue;
                }
                chosen.Add(Attack.EventTechniques.Manual(technique, id));
            }
            else if (text is not null && context.Attack.ByName(text) is [var named])
            {
                chosen.Add(Attack.EventTechniques.Manual(named, named.Id));
            }
            else
            {
                refused.Add(text is null ? "(not text)" : context.Attack.IsEmpty ? $"{text} (names need the MITRE ATT&CK catalogue, which is not loaded)"
                    : context.Attack.ByName(text).Count > 1 ? $"{text} (several sub-techniques have this name; use the ID)" : $"{text} (no such technique)");
            }
        }
        if (refused.Count > 0)
        {
            throw new CommandFailedException($"'Techniques' must be technique IDs such as T1059.001 or exact technique names: {string.Join(", ", refused)}.");
        }
        chosen = chosen.DistinctBy(t => t.TechniqueId).ToList();
        var events = await SiteEventsAsync(context, Ids(parameters["Event IDs"], "Event IDs"), cancellationToken);
        var rows = new JsonArray(chosen.SelectMany(t => t.Tactics.Count == 0 ? [(t, (Core.Attack.TacticRef?)null)] : t.Tactics.Select(tactic => (t, (Core.Attack.TacticRef?)tactic)))
            .Select(pair => (JsonNode)new JsonObject
            {
                ["TacticId"] = pair.Item2?.Id, ["TacticName"] = pair.Item2?.Name, ["TechniqueId"] = pair.t.TechniqueId, ["TechniqueName"] = pair.t.TechniqueName,
            }).ToArray());
        var contextData = new JsonArray();
        foreach (var evt in events)
        {
            evt.TechniquesJson = Attack.EventTechniques.Serialize(chosen);
            contextData.Add(new JsonObject { ["EventId"] = evt.Id, ["techniques"] = rows.DeepClone() });
        }
        await context.Db.SaveChangesAsync(cancellationToken);
        return new CommandResponse("", new JsonObject { ["updatedEvents"] = events.Count }, null, contextData);
    }

    private static (int Index, int Size) Paging(JsonObject parameters)
    {
        var index = CommandParameters.Integer(parameters["Page Index"]) ?? -1;
        var size = CommandParameters.Integer(parameters["Page Size"]) ?? -1;
        if (index is < 0 or > Core.Incidents.IncidentQuery.MaxPageIndex || size is < 1 or > Core.Incidents.IncidentQuery.MaxPageSize)
        {
            throw new CommandFailedException($"'Page Index' must be from 0 to {Core.Incidents.IncidentQuery.MaxPageIndex} and 'Page Size' from 1 to {Core.Incidents.IncidentQuery.MaxPageSize}.");
        }
        return (index, size);
    }

    /// <summary>The events of the request's site with these ids; an id that is not there fails the command.</summary>
    private static async Task<List<Event>> SiteEventsAsync(CommandContext context, IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        var events = await context.Db.Events.Include(e => e.Incidents).Where(e => ids.Contains(e.Id) && e.SiteId == context.Site.Id).ToListAsync(cancellationToken);
        var missing = ids.Except(events.Select(e => e.Id)).ToList();
        if (missing.Count > 0)
        {
            throw new CommandFailedException($"There is no event {string.Join(", ", missing)} on the site '{context.Site.Name}'.");
        }
        return events;
    }

    internal static List<long> Ids(JsonNode? list, string name)
    {
        var ids = new List<long>();
        foreach (var item in list as JsonArray ?? [])
        {
            if (item is JsonValue value && (value.TryGetValue<long>(out var id) || (value.TryGetValue<string>(out var text) && long.TryParse(text, out id))))
            {
                ids.Add(id);
            }
            else
            {
                throw new CommandFailedException($"'{name}' must list event ids (numbers).");
            }
        }
        return ids.Distinct().ToList();
    }
}
