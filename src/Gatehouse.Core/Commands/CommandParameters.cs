using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Gatehouse.Core.Commands;

public enum ParameterType { Text, Number, Integer, Boolean, DateTime, List, Object }

/// <summary>One declared parameter; <see cref="Name"/> is its display name, spaces allowed ("Start Time").</summary>
public sealed record CommandParameter(
    string Name,
    ParameterType Type,
    bool Required = false,
    JsonNode? Default = null,
    IReadOnlyList<string>? AllowedValues = null,
    string? Description = null,
    bool Secret = false,
    bool Hidden = false);

/// <summary>
/// A command's parameter declaration compiled once into a JSON Schema (JsonSchema.Net); a
/// <c>CommandParams</c> object is validated against it and every violation is named.
/// </summary>
public sealed class CommandParameters
{
    public const string DateFormat = "yyyy-MM-dd HH:mm:ss";

    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };
    private readonly JsonSchema _schema;

    public CommandParameters(IReadOnlyList<CommandParameter> declared)
    {
        Declared = declared;
        Schema = BuildSchema(declared);
        _schema = JsonSchema.FromText(Schema.ToJsonString(), null, new Uri($"urn:gatehouse:command:{Guid.NewGuid():N}"));
    }

    public IReadOnlyList<CommandParameter> Declared { get; }

    public JsonObject Schema { get; }

    /// <summary>The parameters with defaults filled in, or every violation (one message per parameter problem).</summary>
    public (JsonObject? Values, IReadOnlyList<string> Errors) Validate(JsonElement commandParams)
    {
        if (commandParams.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            commandParams = JsonDocument.Parse("{}").RootElement;
        }
        if (commandParams.ValueKind != JsonValueKind.Object)
        {
            return (null, ["'CommandParams' must be a JSON object of parameters by name."]);
        }
        var results = _schema.Evaluate(commandParams, Evaluation);
        if (results.IsValid)
        {
            return (WithDefaults(commandParams), []);
        }
        var errors = new List<string>();
        var given = commandParams.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var missing in Declared.Where(p => p.Required && !given.Contains(p.Name)))
        {
            errors.Add($"'{missing.Name}' is required.");
        }
        var known = Declared.Where(p => !p.Hidden).Select(p => p.Name).ToList();
        foreach (var unknown in given.Where(name => Declared.All(p => p.Name != name)))
        {
            errors.Add($"'{unknown}' is not a parameter of this command; known parameters: {string.Join(", ", known)}.");
        }
        foreach (var failing in FailingParameters(results))
        {
            var parameter = Declared.First(p => p.Name == failing);
            errors.Add($"'{parameter.Name}' {Expectation(parameter)}.");
        }
        if (errors.Count == 0)
        {
            // The schema refused something the messages above do not cover: report what it said.
            errors.AddRange((results.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Values).Distinct());
        }
        return (null, errors);
    }

    /// <summary>Names of declared parameters whose value the schema refused.</summary>
    private IEnumerable<string> FailingParameters(EvaluationResults results) =>
        (results.Details ?? [])
            .Where(detail => !detail.IsValid && detail.Errors is { Count: > 0 })
            .Select(detail => detail.InstanceLocation.ToString())
            .Where(location => location.Length > 1)
            .Select(location => location[1..].Split('/')[0].Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))
            .Where(name => Declared.Any(p => p.Name == name))
            .Distinct();

    private static string Expectation(CommandParameter parameter)
    {
        var allowed = parameter.AllowedValues is { Count: > 0 } values ? $", one of: {string.Join(", ", values)}" : "";
        return parameter.Type switch
        {
            ParameterType.Text => $"must be text{allowed}",
            ParameterType.Number => "must be a number",
            ParameterType.Integer => "must be a whole number",
            ParameterType.Boolean => "must be true or false",
            ParameterType.DateTime => $"must be a date and time as {DateFormat} or ISO 8601",
            ParameterType.List => "must be a list",
            _ => "must be an object",
        };
    }

    private JsonObject WithDefaults(JsonElement commandParams)
    {
        var values = JsonNode.Parse(commandParams.GetRawText())!.AsObject();
        foreach (var parameter in Declared.Where(p => p.Default is not null && !values.ContainsKey(p.Name)))
        {
            values[parameter.Name] = parameter.Default!.DeepClone();
        }
        return values;
    }

    private static JsonObject BuildSchema(IReadOnlyList<CommandParameter> declared)
    {
        var properties = new JsonObject();
        foreach (var parameter in declared)
        {
            properties[parameter.Name] = PropertySchema(parameter);
        }
        return new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = new JsonArray(declared.Where(p => p.Required).Select(p => (JsonNode)p.Name).ToArray()),
            ["additionalProperties"] = false,
        };
    }

    private static JsonObject PropertySchema(CommandParameter parameter)
    {
        var schema = parameter.Type switch
        {
            ParameterType.Text => new JsonObject { ["type"] = "string" },
            ParameterType.Number => new JsonObject { ["type"] = "number" },
            ParameterType.Integer => new JsonObject { ["type"] = "integer" },
            ParameterType.Boolean => new JsonObject { ["type"] = "boolean" },
            ParameterType.DateTime => new JsonObject
            {
                ["type"] = "string",
                ["anyOf"] = new JsonArray(
                    new JsonObject { ["pattern"] = "^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$" },
                    new JsonObject { ["format"] = "date-time" }),
            },
            ParameterType.List => new JsonObject { ["type"] = "array" },
            _ => new JsonObject { ["type"] = "object" },
        };
        if (parameter.AllowedValues is { Count: > 0 } allowed)
        {
            schema["enum"] = new JsonArray(allowed.Select(v => (JsonNode)v).ToArray());
        }
        if (parameter.Description is not null)
        {
            schema["description"] = parameter.Description;
        }
        return schema;
    }

    /// <summary>A date parameter's value as UTC: <c>yyyy-MM-dd HH:mm:ss</c> (taken as UTC) or ISO 8601.</summary>
    public static DateTimeOffset? ParseDate(JsonNode? value)
    {
        if (value is not JsonValue text || text.GetValueKind() != JsonValueKind.String)
        {
            return null;
        }
        var s = text.GetValue<string>();
        if (DateTimeOffset.TryParseExact(s, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var plain))
        {
            return plain;
        }
        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var iso) ? iso : null;
    }
}
