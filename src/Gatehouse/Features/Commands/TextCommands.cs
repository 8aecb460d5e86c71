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
        var matches = Core.Attack.TtpSearch.Search(JsonValue.Create(text), new Dictionary<string, string>(), context.Attack);
        var result = new JsonObject
        {
            ["techniques"] = System.Text.Json.JsonSerializer.SerializeToNode(matches, Infrastructure.GatehouseJson.Options),
            ["layers"] = Array(context.Attack.IsEmpty ? ["explicit IDs"] : ["explicit IDs", "technique names"]),
            ["note"] = context.Attack.IsEmpty
                ? "Explicit technique and tactic IDs only: no MITRE ATT&CK catalogue is loaded, and Sigma rules are not supported by this version."
                : "Explicit IDs and exact technique names; Sigma rules are not supported by this version.",
        };
        return Task.FromResult(new CommandResponse("", result, null, null));
    }

    private static JsonArray Array(IReadOnlyList<string> values) => new(values.Select(v => (JsonNode)v).ToArray());
}
