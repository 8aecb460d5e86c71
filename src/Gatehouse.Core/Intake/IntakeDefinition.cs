namespace Gatehouse.Core.Intake;

/// <summary>
/// How an integration's intake command reads a request body: the main JSON path selects the
/// items (events, or incidents), the events path selects each incident's events, and the
/// field mappings fill the data model.
/// </summary>
public sealed record IntakeDefinition(
    string MainJsonPath,
    IReadOnlyList<FieldMappingRow> FieldMappings,
    string? EventsJsonPath = null)
{
    public static readonly IntakeDefinition WholeBody = new("$", []);
}

public sealed class CompiledIntake
{
    private CompiledIntake(JsonPath main, JsonPath? events, FieldMap fields)
    {
        Main = main;
        EventsPath = events;
        Fields = fields;
    }

    public JsonPath Main { get; }
    public JsonPath? EventsPath { get; }
    public FieldMap Fields { get; }

    /// <summary>Validates a definition; every problem is listed, prefixed with <paramref name="label"/>.</summary>
    public static CompiledIntake? Compile(IntakeDefinition definition, FieldCatalog catalog, string label, ICollection<string> errors)
    {
        var before = errors.Count;
        var local = new List<string>();
        if (!JsonPath.TryParse(definition.MainJsonPath, out var main, out var mainError))
        {
            local.Add($"mainJsonPath: {mainError}.");
        }
        JsonPath? events = null;
        if (!string.IsNullOrWhiteSpace(definition.EventsJsonPath)
            && !JsonPath.TryParse(definition.EventsJsonPath, out events, out var eventsError))
        {
            local.Add($"eventsJsonPath: {eventsError}.");
        }
        var fields = FieldMap.Compile(catalog, definition.FieldMappings, local);
        foreach (var error in local)
        {
            errors.Add($"{label}.{error}");
        }
        return errors.Count == before ? new CompiledIntake(main, events, fields) : null;
    }

    /// <summary>Compiles a definition already known to be valid (it was validated when saved).</summary>
    public static CompiledIntake CompileValid(IntakeDefinition definition, FieldCatalog catalog)
    {
        var errors = new List<string>();
        return Compile(definition, catalog, "intake", errors)
            ?? throw new InvalidOperationException(string.Join(" ", errors));
    }
}
