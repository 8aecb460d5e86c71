using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Gatehouse.Infrastructure;

/// <summary>
/// JSON settings for what Gatehouse stores and answers. Request bodies are held to the intake
/// depth limit when they arrive; stored JSON is then wrapped in logs and views a few levels
/// deeper, so reading and writing it needs headroom above that limit.
/// </summary>
public static class GatehouseJson
{
    public const int StoredMaxDepth = 256;

    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static readonly JsonDocumentOptions Document = new() { MaxDepth = StoredMaxDepth };

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.MaxDepth = StoredMaxDepth;
        // By name only: a number would be stored as a value no enum member has ("kind": 12345).
        options.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
        return options;
    }

    /// <summary>Parses JSON that Gatehouse stored itself (already validated on the way in).</summary>
    public static JsonNode? ParseStored(string json) => JsonNode.Parse(json, documentOptions: Document);

    public static JsonNode? ParseStored(byte[] json) => JsonNode.Parse(json, documentOptions: Document);
}
