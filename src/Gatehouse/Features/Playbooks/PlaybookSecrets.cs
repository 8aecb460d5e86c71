using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;

namespace Gatehouse.Features.Playbooks;

/// <summary>
/// Values typed into a playbook for a command's secret parameters: stored encrypted, shown as
/// <c>[redacted]</c> (to administrators and analysts alike), decrypted only when the task runs.
/// Saving a definition that still says <c>[redacted]</c> keeps the value stored before.
/// </summary>
public sealed class PlaybookSecrets(SecretProtector protector, PlaybookLibrary library)
{
    public const string Redacted = "[redacted]";
    private const string Marker = "gatehouse-protected:v1:";

    /// <summary>Encrypts the literal values of secret parameters in <paramref name="body"/>, in place; the errors say what could not be kept.</summary>
    public async Task ProtectAsync(GatehouseDb db, JsonNode body, string? previousJson, List<string> errors, CancellationToken cancellationToken)
    {
        var previous = previousJson is null ? null : GatehouseJson.ParseStored(previousJson);
        foreach (var task in (body["tasks"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (task["command"] is not JsonValue name || name.GetValueKind() != JsonValueKind.String || task["params"] is not JsonObject parameters)
            {
                continue;
            }
            var command = await library.ResolveAsync(db, name.GetValue<string>().Trim(), cancellationToken);
            foreach (var secret in command?.Command.Definition.Parameters.Where(p => p.Secret) ?? [])
            {
                if (parameters[secret.Name] is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
                {
                    continue;
                }
                var text = value.GetValue<string>();
                if (text == Redacted)
                {
                    var kept = StoredValue(previous, task["id"]?.ToString(), secret.Name);
                    if (kept is null)
                    {
                        errors.Add($"tasks.{task["id"]}.params.{secret.Name}: '{Redacted}' stands for a value saved before, and there is none; type the secret.");
                    }
                    parameters[secret.Name] = kept;
                }
                else if (!text.StartsWith(Marker, StringComparison.Ordinal) && !text.Contains("{{", StringComparison.Ordinal))
                {
                    parameters[secret.Name] = Marker + protector.Protect(text);
                }
            }
        }
    }

    /// <summary>A stored definition as users see it: every protected value replaced by <c>[redacted]</c>.</summary>
    public static JsonNode? Redact(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Redact(p.Value)))),
        JsonArray array => new JsonArray(array.Select(Redact).ToArray()),
        JsonValue value when value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().StartsWith(Marker, StringComparison.Ordinal) => Redacted,
        _ => node?.DeepClone(),
    };

    /// <summary>The task's rendered parameters with protected values decrypted, just before the command runs.</summary>
    public JsonObject Reveal(JsonObject parameters)
    {
        foreach (var (name, value) in parameters.ToList())
        {
            if (value is JsonValue text && text.GetValueKind() == JsonValueKind.String && text.GetValue<string>() is var s && s.StartsWith(Marker, StringComparison.Ordinal))
            {
                parameters[name] = protector.Unprotect(s[Marker.Length..]);
            }
        }
        return parameters;
    }

    private static string? StoredValue(JsonNode? previous, string? taskId, string parameter) =>
        (previous?["tasks"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(t => t["id"]?.ToString() == taskId)?["params"]?[parameter] is JsonValue v && v.GetValueKind() == JsonValueKind.String
            && v.GetValue<string>() is var s && s.StartsWith(Marker, StringComparison.Ordinal) ? s : null;
}
