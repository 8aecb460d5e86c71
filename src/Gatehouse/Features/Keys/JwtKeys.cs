using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;

namespace Gatehouse.Features.Keys;

/// <summary>What a JWT key tells its senders: the header to use and the payload to sign.</summary>
public static class JwtKeys
{
    public const int MaxPayloadFields = 50;
    public const int MaxTokenAge = 24 * 3600;

    /// <summary>Remote-command keys bind a token to these body fields unless told otherwise.</summary>
    public static readonly IReadOnlyList<string> CommandDefaults = ["Timestamp", "Site", "Username"];

    public static JsonObject Header(string kid) => new() { ["alg"] = JwtRules.Algorithm, ["kid"] = kid, ["typ"] = "JWT" };

    public static IReadOnlyList<string> PayloadFields(WebhookKey key) =>
        key.PayloadFieldsJson is null ? [] : JsonSerializer.Deserialize<List<string>>(key.PayloadFieldsJson, GatehouseJson.Options) ?? [];

    public static string SerializeFields(IReadOnlyList<string> fields) => JsonSerializer.Serialize(fields, GatehouseJson.Options);

    /// <summary>
    /// The payload fields of a new key: those given, else the first-level members of the sample
    /// body, else the module's defaults (remote commands: Timestamp, Site, Username; intake: none).
    /// </summary>
    public static IReadOnlyList<string> InitialFields(KeyModule module, List<string>? given, JsonNode? sampleBody) =>
        given is not null ? given.Select(f => f.Trim()).ToList()
        : sampleBody is JsonObject sample ? sample.Select(member => member.Key).ToList()
        : module == KeyModule.UtilityCommand ? [.. CommandDefaults]
        : [];

    public static void CheckFields(IReadOnlyList<string> fields, ICollection<string> errors)
    {
        if (fields.Count > MaxPayloadFields)
        {
            errors.Add($"'payloadFields' may list at most {MaxPayloadFields} fields.");
        }
        if (fields.Any(f => string.IsNullOrWhiteSpace(f) || f.Length > 100))
        {
            errors.Add("Each payload field must be a name of 1 to 100 characters.");
        }
        if (fields.Distinct(StringComparer.Ordinal).Count() != fields.Count)
        {
            errors.Add("'payloadFields' lists a field twice.");
        }
    }

    /// <summary>A payload ready to paste into the sender's script: values come from the body it will send.</summary>
    public static JsonObject PayloadTemplate(WebhookKey key, IReadOnlyList<string> fields, IReadOnlyDictionary<int, string> usernames)
    {
        var template = new JsonObject();
        foreach (var field in fields)
        {
            template[field] = field switch
            {
                "Timestamp" => "<time.time(), the same number as the body's Timestamp>",
                "Site" => key.Site?.Name ?? "<the site named in the request>",
                "Username" => usernames.GetValueOrDefault(key.AssignedUserId ?? key.CreatedByUserId) ?? "<a user allowed to use this key>",
                _ => $"<the body's {field}>",
            };
        }
        return template;
    }
}
