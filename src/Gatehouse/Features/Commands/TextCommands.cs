using System.Text.Json.Nodes;
using Gatehouse.Core.Commands;

namespace Gatehouse.Features.Commands;

/// <summary>ExtractArtifacts and MitreTtpSearch: pure functions of their text.</summary>
public static class TextCommands
{
    public static Task<CommandResponse> ExtractArtifactsAsync(CommandContext context, JsonObject parameters, CancellationToken cancellationToken)
    {
        var artifacts = ArtifactExtractor.Extract(IncidentCommands.Text(parameters, "Text") ?? "");
        var result = new JsonObject
        {
            ["ipAddresses"] = Array(artifacts.IpAddresses),
            ["domains"] = Array(artifacts.Domains),
            ["urls"] = Array(artifacts.Urls),
            ["hashes"] = Array(artifacts.Hashes),
            ["emailAddresses"] = Array(artifacts.EmailAddresses),
        };
        return Task.FromResult(new CommandResponse("", result, result.DeepClone(), null));
    }

    public static Task<CommandResponse> MitreTtpSearchAsync(CommandContext context, JsonObject parameters, CancellationToken cancellationToken)
    {
        var text = IncidentCommands.Text(parameters, "Text") ?? "";
        // The text stands for a one-line event: Sigma keyword rules and rules on "message" can match it.
        var evt = new JsonObject { ["message"] = text };
        // The text is all the caller gave: technique IDs count wherever they are in it.
        var matches = Core.Attack.TtpSearch.Search(evt, new Dictionary<string, string>(), context.Attack, context.Sigma, idsAnywhere: true);
        var layers = new List<string> { "explicit IDs" };
        if (!context.Sigma.IsEmpty)
        {
            layers.Add($"Sigma rules ({context.Sigma.Rules.Count})");
        }
        if (!context.Attack.IsEmpty)
        {
            layers.Add("technique names");
        }
        var result = new JsonObject
        {
            ["techniques"] = System.Text.Json.JsonSerializer.SerializeToNode(matches, Infrastructure.GatehouseJson.Options),
            ["layers"] = Array(layers),
        };
        return Task.FromResult(new CommandResponse("", result, null, null));
    }

    private static JsonArray Array(IReadOnlyList<string> values) => new(values.Select(v => (JsonNode)v).ToArray());
}
