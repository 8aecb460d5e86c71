using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Gatehouse.Core.Commands;

/// <summary>A parameter's JSON type; <see cref="TextOrNumber"/> takes either (an id a client may send as 12 or "12").</summary>
public enum ParameterType { Text, Number, Integer, Boolean, DateTime, List, Object, TextOrNumber }

/// <summary>
/// One declared parameter; <see cref="Name"/> is its display name, spaces allowed ("Start Time").
/// <see cref="FromEnvelope"/>: a value a poller sends beside <c>CommandParams</c> (at the body's top level or in the
/// query string) wins — Microsoft Sentinel's offset paging adds its <c>Page Index</c> there.
/// <see cref="Aliases"/>: other spellings clients send (<c>PageIndex</c>); the parameter's own name wins when both are given.
/// </summary>
public sealed record CommandParameter(
    string Name,
    ParameterType Type,
    bool Required = false,
    JsonNode? Default = null,
    IReadOnlyList<string>? AllowedValues = null,
    string? Description = null,
    bool Secret = false,
    bool Hidden = false,
    bool FromEnvelope = false,
    IReadOnlyList<string>? Aliases = null);

/// <summary>
/// A command's parameter declaration compiled once into a JSON Schema (JsonSchema.Net); a
/// <c>CommandParams</c> object is validated against it and every violation is named.
/// </summary>
public sealed class CommandParameters
{
    public const string DateFormat = "yyyy-MM-dd HH:mm:ss";

    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.Flag, RequireFormatValidation = true };
    private readonly JsonSchema _schema;
    private readonly Dictionary<string, JsonSchema> _parameterSchemas;

    public CommandParameters(IReadOnlyList<CommandParameter> declared)
    {
        Declared = declared;
        Schema = BuildSchema(declared);
        _schema = JsonSchema.FromText(Schema.ToJsonString(), null, new Uri($"urn:gatehouse:command:{Guid.NewGuid():N}"));
        // Each parameter's own schema, to name the parameters whose value fails: the whole schema's
        // output also lists failing branches of an anyOf that as a whole passed.
        _parameterSchemas = declared.ToDictionary(p => p.Name, p => JsonSchema.FromText(PropertySchema(p).ToJsonString(), null,
            new Uri($"urn:gatehouse:parameter:{Guid.NewGuid():N}")), StringComparer.Ordinal);
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
        using var renamed = WithAliasesRenamed(commandParams);
        if (renamed is not null)
        {
            commandParams = renamed.RootElement;
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
        foreach (var parameter in Declared.Where(p => commandParams.TryGetProperty(p.Name, out _)))
        {
            if (!_parameterSchemas[parameter.Name].Evaluate(commandParams.GetProperty(parameter.Name), Evaluation).IsValid)
            {
                errors.Add($"'{parameter.Name}' {Expectation(parameter)}.");
            }
        }
        if (errors.Count == 0)
        {
            errors.Add("'CommandParams' does not fit this command's parameters.");
        }
        return (null, errors);
    }

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
            ParameterType.TextOrNumber => $"must be text or a number{allowed}",
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
            ParameterType.TextOrNumber => new JsonObject { ["type"] = new JsonArray("string", "number") },
            _ => new JsonObject { ["type"] = "object" },
        };
        if (parameter.AllowedValues is { Count: > 0 } allowed)
        {
            // A value allowed as text is allowed as the number it spells when numbers are allowed too ("2" and 2).
            var numbers = parameter.Type == ParameterType.TextOrNumber
                ? allowed.Where(v => decimal.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                    .Select(v => (JsonNode)JsonValue.Create(decimal.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)))
                : [];
            schema["enum"] = new JsonArray(allowed.Select(v => (JsonNode)v).Concat(numbers).ToArray());
        }
        if (parameter.Description is not null)
        {
            schema["description"] = parameter.Description;
        }
        return schema;
    }

    /// <summary>
    /// The declared parameters whose values pass their own schema, aliases read as their parameter: what further
    /// checks can still judge when the whole set failed, so one answer lists every violation.
    /// </summary>
    public JsonObject Passing(JsonElement commandParams)
    {
        var passing = new JsonObject();
        if (commandParams.ValueKind != JsonValueKind.Object)
        {
            return passing;
        }
        using var renamed = WithAliasesRenamed(commandParams);
        var values = renamed?.RootElement ?? commandParams;
        foreach (var parameter in Declared.Where(p => values.TryGetProperty(p.Name, out _)))
        {
            var value = values.GetProperty(parameter.Name);
            if (_parameterSchemas[parameter.Name].Evaluate(value, Evaluation).IsValid)
            {
                passing[parameter.Name] = JsonNode.Parse(value.GetRawText());
            }
        }
        return passing;
    }

    /// <summary>The parameters with aliases under their parameter's own name, or null when none was used.</summary>
    private JsonDocument? WithAliasesRenamed(JsonElement commandParams)
    {
        var aliases = Declared.SelectMany(p => (p.Aliases ?? []).Select(a => (Alias: a, p.Name))).ToDictionary(a => a.Alias, a => a.Name, StringComparer.Ordinal);
        if (aliases.Count == 0 || !commandParams.EnumerateObject().Any(p => aliases.ContainsKey(p.Name)))
        {
            return null;
        }
        var renamed = new JsonObject();
        foreach (var property in commandParams.EnumerateObject().Where(p => !aliases.ContainsKey(p.Name)))
        {
            renamed[property.Name] = JsonNode.Parse(property.Value.GetRawText());
        }
        foreach (var property in commandParams.EnumerateObject().Where(p => aliases.ContainsKey(p.Name)))
        {
            renamed.TryAdd(aliases[property.Name], JsonNode.Parse(property.Value.GetRawText()));
        }
        return JsonDocument.Parse(renamed.ToJsonString());
    }

    /// <summary>A whole-number parameter's value (JSON Schema counts 2.0 as an integer too), or null.</summary>
    public static int? Integer(JsonNode? value) => WholeNumber(value) is >= int.MinValue and <= int.MaxValue and var n ? (int)n : null;

    public static long? WholeNumber(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.Number
        && decimal.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
        && d == decimal.Truncate(d) && d is >= long.MinValue and <= long.MaxValue ? (long)d : null;

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
