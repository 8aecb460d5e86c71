using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;

namespace Gatehouse.Infrastructure.OpenApi;

/// <summary>
/// Members that carry arbitrary JSON (raw bodies, conditions, custom fields) are described in place as any JSON,
/// not as components named <c>JsonNode</c> or <c>JsonObject</c>, which generators turn into empty classes that
/// cannot hold an array or a string.
/// </summary>
internal static class AnyJson
{
    private static readonly HashSet<Type> Types = [typeof(JsonNode), typeof(JsonObject), typeof(JsonArray), typeof(JsonValue), typeof(JsonElement), typeof(JsonDocument)];

    public static string? ReferenceId(JsonTypeInfo type) =>
        Types.Contains(Nullable.GetUnderlyingType(type.Type) ?? type.Type) ? null : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
}
