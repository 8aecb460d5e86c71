using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gatehouse.Core.Settings;

/// <summary>An application setting: its name, default, and what values it accepts.</summary>
public sealed record SettingDefinition(string Name, string Description, JsonNode Default, Func<JsonNode?, string?> Validate);

public static class SettingsCatalog
{
    public const string EnableEnhanceWebhookAuthentication = nameof(EnableEnhanceWebhookAuthentication);

    public static readonly IReadOnlyList<SettingDefinition> All =
    [
        new(EnableEnhanceWebhookAuthentication,
            "When True, JWT webhook keys work and every webhook request without a valid token or signature is refused (API keys and URL tokens included).",
            JsonValue.Create(false), Boolean),
    ];

    public static SettingDefinition? Find(string name) =>
        All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Booleans; "True"/"False" strings as the commercial product shows them are accepted too.</summary>
    public static JsonNode? NormalizeBoolean(JsonNode? value) =>
        value?.GetValueKind() switch
        {
            JsonValueKind.True or JsonValueKind.False => value.DeepClone(),
            JsonValueKind.String when bool.TryParse(value.GetValue<string>(), out var parsed) => JsonValue.Create(parsed),
            _ => null,
        };

    private static string? Boolean(JsonNode? value) =>
        NormalizeBoolean(value) is null ? "must be true or false" : null;
}
