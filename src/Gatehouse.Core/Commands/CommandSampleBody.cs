using System.Text.Json.Nodes;

namespace Gatehouse.Core.Commands;

/// <summary>
/// The request body a sender would post to run a command: the envelope (Username, Site,
/// Timestamp) and one example value per declared parameter, so it validates as it is.
/// </summary>
public static class CommandSampleBody
{
    public static JsonObject Build(IReadOnlyList<CommandParameter> parameters, string username, string? site, long timestamp)
    {
        var commandParams = new JsonObject();
        foreach (var parameter in parameters.Where(p => !p.Hidden))
        {
            commandParams[parameter.Name] = Example(parameter);
        }
        var body = new JsonObject { ["Username"] = username };
        if (site is not null)
        {
            body["Site"] = site;
        }
        body["Timestamp"] = timestamp;
        body["CommandParams"] = commandParams;
        return body;
    }

    private static JsonNode? Example(CommandParameter parameter) =>
        parameter.Default?.DeepClone()
        ?? (parameter.AllowedValues is [var first, ..] ? (JsonNode)JsonValue.Create(first) : null)
        ?? parameter.Type switch
        {
            ParameterType.Number => (JsonNode)JsonValue.Create(1.5),
            ParameterType.Integer => JsonValue.Create(1),
            ParameterType.Boolean => JsonValue.Create(true),
            ParameterType.DateTime => JsonValue.Create("2026-01-01 00:00:00"),
            ParameterType.List => new JsonArray(),
            ParameterType.Object => new JsonObject(),
            _ => JsonValue.Create($"<{parameter.Name}>"),
        };
}
