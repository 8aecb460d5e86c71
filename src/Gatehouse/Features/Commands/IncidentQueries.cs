using System.Text.Json.Nodes;
using Gatehouse.Core.Incidents;
using Gatehouse.Features.Incidents;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Commands;

/// <summary>
/// GetIncidents (also GetIncidentsWithNewParameters): the site's incidents created in the window, by number,
/// filtered, as rows of the chosen static and dynamic fields, one page at a time with the page count.
/// </summary>
public static class IncidentQueries
{
    /// <summary>Incidents a filtered query reads at most; a wider window gets a clear error instead of a slow scan.</summary>
    public const int MaxFilteredScan = 50_000;

    public static async Task<CommandResponse> GetAsync(CommandContext context, JsonObject parameters, CancellationToken cancellationToken)
    {
        var (query, errors) = IncidentQuery.Parse(parameters, context.Incidents.Vocabulary);
        if (query is null)
        {
            throw new CommandFailedException(string.Join(" ", errors));
        }
        var candidates = context.Db.Incidents.AsNoTracking().Where(i => i.SiteId == context.Site.Id);
        if (query.Start is { } start)
        {
            candidates = candidates.Where(i => i.CreatedAt >= start);
        }
        if (query.End is { } end)
        {
            candidates = candidates.Where(i => i.CreatedAt < end);
        }
        if (query.Numbers is { } numbers)
        {
            var ids = numbers.Select(n => n.Id).ToList();
            candidates = candidates.Where(i => ids.Contains(i.Id));
        }
        candidates = candidates.OrderBy(i => i.Id);
        List<(Incident Incident, IncidentRecord Record)> page;
        int total;
        if (query.Filter.IsEmpty && query.Numbers is null)
        {
            total = await candidates.CountAsync(cancellationToken);
            var rows = await WithRelations(candidates).Skip(query.PageIndex * query.PageSize).Take(query.PageSize).ToListAsync(cancellationToken);
            page = await RecordsAsync(context, rows, query.NeedsEventRaw, cancellationToken);
        }
        else
        {
            var scanned = await WithRelations(candidates).Take(MaxFilteredScan + 1).ToListAsync(cancellationToken);
            if (scanned.Count > MaxFilteredScan)
            {
                throw new CommandFailedException($"The filter would read more than {MaxFilteredScan} incidents: narrow 'Start Time' and 'End Time'.");
            }
            var wanted = query.Numbers;
            var matching = new List<(Incident Incident, IncidentRecord Record)>();
            foreach (var candidate in await RecordsAsync(context, scanned, withEventRaw: false, cancellationToken))
            {
                // The filter runs in memory: the command's time limit must be able to stop it.
                cancellationToken.ThrowIfCancellationRequested();
                if ((wanted is null || wanted.Any(n => IncidentNumbers.Names(n, candidate.Incident.Id, candidate.Incident.CreatedAt))) && query.Filter.Matches(candidate.Record))
                {
                    matching.Add(candidate);
                }
            }
            total = matching.Count;
            var chosen = matching.Skip(query.PageIndex * query.PageSize).Take(query.PageSize).Select(m => m.Incident).ToList();
            page = await RecordsAsync(context, chosen, query.NeedsEventRaw, cancellationToken);
        }
        var totalPages = (total + query.PageSize - 1) / query.PageSize;
        var incidents = new JsonArray(page.Select(m => (JsonNode)query.Row(m.Record)).ToArray());
        var raw = new JsonObject
        {
            ["incidents"] = incidents,
            ["total"] = total,
            ["totalPages"] = totalPages,
            ["pageIndex"] = query.PageIndex,
            ["pageSize"] = query.PageSize,
        };
        var returnData = new JsonObject { ["count"] = page.Count, ["total"] = total, ["totalPages"] = totalPages };
        // Pollers send the field names they know; names this version does not have are reported, not fatal.
        var unknownReport = query.UnknownStaticFields.Count == 0 ? null : new JsonObject
        {
            ["unknownStaticFields"] = new JsonArray(query.UnknownStaticFields.Select(f => (JsonNode)f).ToArray()),
            ["knownStaticFields"] = new JsonArray(IncidentModel.All.Select(f => (JsonNode)f.WireName).ToArray()),
        };
        return new CommandResponse("", returnData, raw, unknownReport) { OutputData = new JsonObject { ["TotalPages"] = totalPages } };
    }

    private static IQueryable<Incident> WithRelations(IQueryable<Incident> query) => query.Include(i => i.Site).Include(i => i.Events);

    private static async Task<List<(Incident Incident, IncidentRecord Record)>> RecordsAsync(CommandContext context, List<Incident> incidents, bool withEventRaw, CancellationToken cancellationToken)
    {
        var linked = await context.Incidents.LinkedAsync(incidents.Select(i => i.Id).ToList(), cancellationToken);
        var eventRaw = new Dictionary<long, string>();
        if (withEventRaw)
        {
            foreach (var chunk in incidents.SelectMany(i => i.Events.Select(e => e.EventId)).Distinct().Chunk(IncidentLifecycle.QueryChunk))
            {
                foreach (var row in await context.Db.Events.AsNoTracking().Where(e => chunk.Contains(e.Id)).Select(e => new { e.Id, e.RawJson }).ToListAsync(cancellationToken))
                {
                    eventRaw[row.Id] = row.RawJson;
                }
            }
        }
        return incidents.Select(i => (i, IncidentWire.Record(i, linked.GetValueOrDefault(i.Id, []),
            withEventRaw ? new JsonArray(i.Events.Select(e => e.EventId).Order().Where(eventRaw.ContainsKey).Select(id => GatehouseJson.ParseStored(eventRaw[id])).ToArray()) : null))).ToList();
    }
}
