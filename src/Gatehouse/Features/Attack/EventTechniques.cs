using System.Text.Json;
using Gatehouse.Core.Attack;
using Gatehouse.Infrastructure;

namespace Gatehouse.Features.Attack;

/// <summary>How an event's techniques are stored: the TTP search matches, or those set by hand (layer "manual").</summary>
public static class EventTechniques
{
    public const string ManualLayer = "manual";

    public static string Serialize(IReadOnlyList<TechniqueMatch> matches) => JsonSerializer.Serialize(matches, GatehouseJson.Options);

    public static TechniqueMatch Manual(Technique? technique, string id) =>
        new(technique?.Id ?? id, technique?.Name, technique?.Tactics.Select(t => new TacticRef(t.Id, t.Name)).ToList() ?? [], ManualLayer, "high", []);
}
