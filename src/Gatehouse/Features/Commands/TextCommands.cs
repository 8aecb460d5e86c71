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
        var ids = ArtifactExtractor.AttackIds(IncidentCommands.Text(parameters, "Text") ?? "");
        var result = new JsonObject
        {
            ["techniques"] = Array(ids.Where(id => !id.StartsWith("TA", StringComparison.Ordinal)).ToList()),
            ["tactics"] = Array(ids.Where(id => id.StartsWith("TA", StringComparison.Ordinal)).ToList()),
            ["layers"] = Array(["explicit IDs"]),
            ["note"] = "Explicit technique and tactic IDs only: the MITRE ATT&CK catalogue and Sigma rules are not loaded by this version.",
        };
        return Task.FromResult(new CommandResponse("", result, null, null));
    }

    private static JsonArray Array(IReadOnlyList<string> values) => new(values.Select(v => (JsonNode)v).ToArray());
}
