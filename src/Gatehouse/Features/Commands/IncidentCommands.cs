using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Incidents;
using Gatehouse.Features.Incidents;
using Gatehouse.Storage;

namespace Gatehouse.Features.Commands;

/// <summary>
/// CreateIncident, UpdateIncident, CloseIncident, LinkIncidents, UnlinkIncidents, LinkEventsToIncident and
/// UnlinkEventsFromIncident: the incident lifecycle of the admin API, in the vendor's wire names, on the
/// request's site, as the acting user.
/// </summary>
public static class IncidentCommands
{
    /// <summary>The parameters that name the incident rather than change it.</summary>
    private static readonly string[] Selectors = ["Incident Number", "Incident ID"];

    public static async Task<CommandResponse> CreateAsync(CommandContext context, JsonObject parameters, CancellationToken cancellationToken)
    {
        var fields = new JsonObject();
        foreach (var (name, value) in parameters)
        {
            if (name is not ("Playbook" or "Raw Data"))
            {
                fields[name] = value?.DeepClone();
            }
        }
        var (incident, errors) = await context.Incidents.AddAsync(context.Site.Id, fields, IncidentNaming.Wire, Actor(context), "CreateIncident", parameters["Raw Data"], cancellationToken);
        if (incident is null)
        {
            throw new CommandFailedException(string.Join(" ", errors));
        }
        PlaybookRun? run = null;
        if (Text(parameters, "Playbook") is { } playbook)
        {
            incident.Playbook = playbook;
            // An unknown playbook refuses the command before anything is stored.
            (run, var problem) = await context.Playbooks.QueueAsync(context.Db, playbook, null, incident, context.Site.Id, "CreateIncident", cancellationToken);
            if (problem is not null)
            {
                context.Db.ChangeTracker.Clear();
                throw new CommandFailedException($"Playbook: {problem}.");
            }
        }
        await context.Incidents.SaveCreatedAsync(incident, cancellationToken);
        if (run is not null)
        {
            context.Playbooks.Saved();
        }
        var created = new JsonObject
        {
            ["incidentId"] = incident.Id, ["incidentNumber"] = incident.Number, ["IR Number"] = incident.Number, ["site"] = context.Site.Name,
        };
        if (run is not null)
        {
            created["playbookRun"] = run.Id;
        }
        return new CommandResponse("", created, created.DeepClone(), null);
    }

    public static Task<CommandResponse> UpdateAsync(CommandContext context, JsonObject parameters, CancellationToken cancellationToken) =>
        ChangeAsync(context, parameters, (incident, actor) =>
        {
            var edit = new JsonObject();
            foreach (var (name, value) in parameters.Where(p => !Selectors.Contains(p.Key)))
            {
                edit[name] = value?.DeepClone();
            }
            return edit.Count == 0
                ? Task.FromResult<IReadOnlyList<string>>(["Give at least one field to change, such as Status, Stage, Owner or Dynamic Fields."])
                : context.Incidents.EditAsync(incident, edit, IncidentNaming.Wire, actor, cancellationToken);
        }, cancellationToken);

    public static Task<CommandResponse> CloseAsync(CommandContext context, JsonObject parameters, CancellationToken cancellationToken) =>
        ChangeAsync(context, parameters, (incident, actor) =>
            context.Incidents.CloseAsync(incident, parameters["Conclusion"], parameters["Disposition"], IncidentNaming.Wire, actor, cancellationToken), cancellationToken);

    public static Task<CommandResponse> LinkIncidentsAsync(CommandContext context, JsonObject parameters, CancellationToken cancellationToken) =>
        LinksAsync(context, parameters, link: true, incidents: true, cancellationToken);

    public static Task<CommandResponse> UnlinkIncidentsAsync(CommandContext context, JsonObject parameters, CancellationToken cancellationToken) =>
        LinksAsync(context, parameters, link: false, incidents: true, cancellationToken);

    public static Task<CommandResponse> LinkEventsAsync(CommandContext context, JsonObject parameters, CancellationToken cancellationToken) =>
        LinksAsync(context, parameters, link: true, incidents: false, cancellationToken);

    public static Task<CommandResponse> UnlinkEventsAsync(CommandContext context, JsonObject parameters, CancellationToken cancellationToken) =>
        LinksAsync(context, parameters, link: false, incidents: false, cancellationToken);

    private static Task<CommandResponse> LinksAsync(CommandContext context, JsonObject parameters, bool link, bool incidents, CancellationToken cancellationToken) =>
        ChangeAsync(context, parameters, (incident, actor) =>
        {
            IReadOnlyList<(long, string?)> others = [];
            IReadOnlyList<long> events = [];
            if (incidents)
            {
                others = Numbers(parameters["Linked Incident Numbers"], "Linked Incident Numbers");
            }
            else
            {
                events = EventCommands.Ids(parameters["Event IDs"], "Event IDs");
            }
            return context.Incidents.LinkAsync(incident, others, events, link, actor, cancellationToken);
        }, cancellationToken);

    /// <summary>Finds the named incident on the request's site, makes the change, and answers with the incident as GetIncidents shows it.</summary>
    private static async Task<CommandResponse> ChangeAsync(CommandContext context, JsonObject parameters,
        Func<Incident, IncidentActor, Task<IReadOnlyList<string>>> change, CancellationToken cancellationToken)
    {
        var selector = Selectors.First(parameters.ContainsKey);
        var number = IncidentNumbers.Parse(parameters[selector])
            ?? throw new CommandFailedException($"'{selector}' must be an incident number such as 20260113-42, or its id.");
        var incident = await context.Incidents.FindAsync(number, [context.Site.Id], cancellationToken)
            ?? throw new CommandFailedException($"There is no incident {parameters[selector]!.ToJsonString()} on the site '{context.Site.Name}'.");
        IReadOnlyList<string> errors;
        try
        {
            errors = await change(incident, Actor(context));
        }
        catch (IncidentConflictException conflict)
        {
            throw new CommandFailedException(conflict.Message);
        }
        if (errors.Count > 0)
        {
            throw new CommandFailedException(string.Join(" ", errors));
        }
        var record = await context.Incidents.RecordAsync(incident, cancellationToken);
        var row = IncidentProjection.Row(record, IncidentModel.Defaults, null);
        return new CommandResponse("", row, new JsonObject { ["incidents"] = new JsonArray(row.DeepClone()) }, null);
    }

    private static List<(long, string?)> Numbers(JsonNode? list, string name) =>
        (list as JsonArray ?? []).Select(item => IncidentNumbers.Parse(item)
            ?? throw new CommandFailedException($"'{name}' must list incident numbers such as 20260113-42, or ids.")).Distinct().ToList();

    private static IncidentActor Actor(CommandContext context) => new(context.User.Id, context.User.Username, context.KeyId);

    internal static string? Text(JsonObject parameters, string name) =>
        parameters[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Trim() is { Length: > 0 } text ? text : null;
}
