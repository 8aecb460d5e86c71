using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Attack;
using Gatehouse.Infrastructure;

namespace Gatehouse.Features.Console.Pages;

public static class Techniques
{
    /// <summary>The techniques stored on an event, as the TTP search found them.</summary>
    public static IReadOnlyList<TechniqueMatch> From(JsonNode? stored) =>
        stored is JsonArray ? stored.Deserialize<List<TechniqueMatch>>(GatehouseJson.Options) ?? [] : [];
}
