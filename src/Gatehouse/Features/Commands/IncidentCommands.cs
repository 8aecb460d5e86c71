using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Commands;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Commands;

/// <summary>CreateIncident and GetIncidents (also called GetIncidentsWithNewParameters).</summary>
public static class IncidentCommands
{
    public const int MaxPageSize = 1000;

    /// <summary>The incident fields GetIncidents can return, by the display names Static Fields uses.</summary>
    private static readonly (string Name, Func<Incident, JsonNode?> Read)[] Fields =
    [
        ("Incident Number", i => i.Number),
        ("Incident ID", i => i.Id),
        ("Title", i => i.Title),
        ("Description", i => i.Description),
        ("Incident Type", i => i.IncidentType),
        ("Severity", i => i.Severity),
        ("Status", i => i.Status.ToString()),
        ("Owner", i => i.Owner),
        ("Site", i => i.Site?.Name),
        ("External ID", i => i.ExternalId),
        ("Created Time", i => i.CreatedAt.UtcDateTime.ToString(CommandParameters.DateFormat, System.Globalization.CultureInfo.InvariantCulture)),
        ("Event IDs", i => new JsonArray(i.Events.Select(e => (JsonNode)e.EventId).ToArray())),
        ("Custom Fields", i => GatehouseJson.ParseStored(i.CustomFieldsJson)),
    ];

    public static async Task<CommandResponse> CreateAsync(CommandContext context, JsonObject parameters, CancellationToken cancellationToken)
    {
        var now = context.Time.GetUtcNow();
        var custom = new JsonObject();
        if (CommandParameters.ParseDate(parameters["Due Date"]) is { } due)
        {
            custom["Due Date"] = due.UtcDateTime.ToString(CommandParameters.DateFormat, System.Globalization.CultureInfo.InvariantCulture);
        }
        if (parameters["Playbook"] is JsonValue playbookName)
        {
            custom["Playbook"] = playbookName.DeepClone();
        }
        var incident = new Incident
        {
            SiteId = context.Site.Id,
            IncidentType = Text(parameters, "Incident Type")!,
            Title = Text(parameters, "Title") ?? Text(parameters, "Incident Type")!,
            Description = Text(parameters, "Description"),
            Severity = Text(parameters, "Severity") ?? "Medium",
            Status = IncidentStatus.Open,
            Owner = Text(parameters, "Owner") ?? context.User.Username,
            CustomFieldsJson = custom.ToJsonString(),
            RawJson = parameters["Raw Data"]?.ToJsonString(),
            CreatedAt = now,
        };
        context.Db.Incidents.Add(incident);
        PlaybookRun? run = null;
        if (Text(parameters, "Playbook") is { } playbook)
        {
            // An unknown playbook refuses the command before anything is stored.
            (run, var problem) = await context.Playbooks.QueueAsync(context.Db, playbook, null, incident, context.Site.Id, "CreateIncident", cancellationToken);
            if (problem is not null)
            {
                context.Db.ChangeTracker.Clear();
                throw new CommandFailedException($"Playbook: {problem}.");
            }
        }
        await context.Db.SaveChangesAsync(cancellationToken);
        if (run is not null)
        {
            context.Playbooks.Saved();
        }
        var created = new JsonObject { ["incidentId"] = incident.Id, ["incidentNumber"] = incident.Number, ["site"] = context.Site.Name };
        if (run is not null)
        {
            created["playbookRun"] = run.Id;
        }
        return new CommandResponse("", created, created.DeepClone(), null);
    }

    public static async Task<CommandResponse> GetAsync(CommandContext context, JsonObject parameters, CancellationToken cancellationToken)
    {
        var (index, size) = Paging(parameters);
        var query = context.Db.Incidents.AsNoTracking().Where(i => i.SiteId == context.Site.Id);
        if (CommandParameters.ParseDate(parameters["Start Time"]) is { } start)
        {
            query = query.Where(i => i.CreatedAt >= start);
        }
        if (CommandParameters.ParseDate(parameters["End Time"]) is { } end)
        {
            query = query.Where(i => i.CreatedAt < end);
        }
        var total = await query.CountAsync(cancellationToken);
        var incidents = await query.Include(i => i.Site).Include(i => i.Events)
            .OrderBy(i => i.Id).Skip(index * size).Take(size).ToListAsync(cancellationToken);
        var (wanted, unknownFields) = StaticFields(parameters);
        var rows = new JsonArray(incidents.Select(incident =>
        {
            var row = new JsonObject();
            foreach (var (name, read) in Fields.Where(f => wanted is null || wanted.Contains(f.Name)))
            {
                row[name] = read(incident);
            }
            return (JsonNode)row;
        }).ToArray());
        var raw = new JsonObject { ["incidents"] = rows, ["total"] = total, ["pageIndex"] = index, ["pageSize"] = size };
        // Pollers send the field names they know; names this version does not have are reported, not fatal.
        var unknownReport = unknownFields.Count == 0 ? null : new JsonObject
        {
            ["unknownStaticFields"] = new JsonArray(unknownFields.Select(f => (JsonNode)f).ToArray()),
            ["knownStaticFields"] = new JsonArray(Fields.Select(f => (JsonNode)f.Name).ToArray()),
        };
        return new CommandResponse("", new JsonObject { ["count"] = incidents.Count, ["total"] = total }, raw, unknownReport);
    }

    internal static (int Index, int Size) Paging(JsonObject parameters)
    {
        var index = parameters["Page Index"]?.GetValue<int>() ?? 0;
        var size = parameters["Page Size"]?.GetValue<int>() ?? 100;
        if (index < 0 || size is < 1 or > MaxPageSize)
        {
            throw new CommandFailedException($"'Page Index' must be 0 or more and 'Page Size' between 1 and {MaxPageSize}.");
        }
        return (index, size);
    }

    /// <summary>The known fields asked for (null: all), and the names asked for that are not known.</summary>
    private static (HashSet<string>? Wanted, List<string> Unknown) StaticFields(JsonObject parameters)
    {
        if (parameters["Static Fields"] is not JsonArray { Count: > 0 } fields)
        {
            return (null, []);
        }
        var names = fields.Select(f => f?.GetValueKind() == JsonValueKind.String ? f.GetValue<string>() : f?.ToJsonString() ?? "null").ToList();
        var known = names.Where(n => Fields.Any(f => string.Equals(f.Name, n, StringComparison.OrdinalIgnoreCase)))
            .Select(n => Fields.First(f => string.Equals(f.Name, n, StringComparison.OrdinalIgnoreCase)).Name).ToHashSet(StringComparer.Ordinal);
        var unknown = names.Where(n => Fields.All(f => !string.Equals(f.Name, n, StringComparison.OrdinalIgnoreCase))).ToList();
        // Always identify the incident, even when only unknown names were asked for.
        known.Add("Incident Number");
        return (known, unknown);
    }

    internal static string? Text(JsonObject parameters, string name) =>
        parameters[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Trim() is { Length: > 0 } text ? text : null;
}
