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
    /// body, else for every remote-command key (utility or integration command) Timestamp, Site,
    /// Username. An intake key that names neither is refused by validation: binding nothing must be asked for.
    /// </summary>
    public static IReadOnlyList<string> InitialFields(bool runsCommands, List<string>? given, JsonNode? sampleBody) =>
        given is not null ? given.Select(f => f.Trim()).ToList()
        : sampleBody is JsonObject sample ? sample.Select(member => member.Key).ToList()
        : runsCommands ? [.. CommandDefaults]
        : [];

    /// <summary>What the API answer and the console say about a JWT key that binds no field of the body.</summary>
    /// <summary>The payload fields of the static-token preset: a poller's one fixed token names its user and site.</summary>
    public static readonly IReadOnlyList<string> StaticTokenFields = ["Username", "Site"];

    public const string StaticTokenWarning =
        "This is a static token: it never expires and can be replayed, so anyone who copies it can run this command as its user on its site "
        + "until you regenerate the key. Keep it in the poller's secret store only, and give the key an allow-list of the poller's addresses (allowedSources).";

    public const string BindsNothingWarning =
        "This key binds no payload field: a token signed once over {} is accepted with any body, for as long as the key lives. "
        + "List the body fields the token must carry (payloadFields), or turn on rejectReplayedTokens and a max token age.";

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
