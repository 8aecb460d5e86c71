using System.Text.Json.Nodes;

namespace Gatehouse.Features.Commands;

/// <summary>Which code runs each built-in utility command.</summary>
public static class BuiltInRunner
{
    private delegate Task<CommandResponse> Handler(CommandContext context, JsonObject parameters, CancellationToken cancellationToken);

    private static readonly Dictionary<string, Handler> Handlers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["CreateIncident"] = IncidentCommands.CreateAsync,
        ["UpdateIncident"] = IncidentCommands.UpdateAsync,
        ["CloseIncident"] = IncidentCommands.CloseAsync,
        ["LinkIncidents"] = IncidentCommands.LinkIncidentsAsync,
        ["UnlinkIncidents"] = IncidentCommands.UnlinkIncidentsAsync,
        ["GetIncidents"] = IncidentQueries.GetAsync,
        ["GetIncidentsWithNewParameters"] = IncidentQueries.GetAsync,
        ["GetEvents"] = EventCommands.GetAsync,
        ["DismissEvents"] = EventCommands.DismissAsync,
        ["SetEventTechniques"] = EventCommands.SetTechniquesAsync,
        ["LinkEventsToIncident"] = IncidentCommands.LinkEventsAsync,
        ["UnlinkEventsFromIncident"] = IncidentCommands.UnlinkEventsAsync,
        ["ExtractArtifacts"] = TextCommands.ExtractArtifactsAsync,
        ["MitreTtpSearch"] = TextCommands.MitreTtpSearchAsync,
    };

    public static Task<CommandResponse> RunAsync(string command, CommandContext context, JsonObject parameters, CancellationToken cancellationToken) =>
        Handlers[command](context, parameters, cancellationToken);
}
