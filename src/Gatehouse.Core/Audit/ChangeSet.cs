using System.Text.Json.Nodes;

namespace Gatehouse.Core.Audit;

/// <summary>What an update changed, for its audit row: the members that differ, before and after.</summary>
public static class ChangeSet
{
    /// <summary>
    /// <c>{"from": {member: old}, "to": {member: new}}</c> over the top-level members whose JSON differs (a member
    /// missing on one side counts as null); null when nothing changed, so an update that changes nothing writes no row.
    /// </summary>
    public static JsonObject? Between(JsonObject before, JsonObject after)
    {
        var from = new JsonObject();
        var to = new JsonObject();
        foreach (var name in before.Select(p => p.Key).Union(after.Select(p => p.Key)))
        {
            var old = before[name];
            var updated = after[name];
            if (!JsonNode.DeepEquals(old, updated))
            {
                from[name] = old?.DeepClone();
                to[name] = updated?.DeepClone();
            }
        }
        return from.Count == 0 ? null : new JsonObject { ["from"] = from, ["to"] = to };
    }
}
