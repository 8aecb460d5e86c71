namespace Gatehouse.Core.Intake;

/// <summary>
/// How an integration's intake command reads a request body: the main JSON path selects the
/// items (events, or incidents), the events path selects each incident's events, and the
/// field mappings fill the data model. For TTP search, <see cref="LogSource"/> says what the events
/// are when they do not say it themselves (a Windows event does), and <see cref="SigmaFields"/> names
/// the events' fields as Sigma rules call them (<c>{"proc_cmd": "CommandLine"}</c>).
/// </summary>
public sealed record IntakeDefinition(
    string MainJsonPath,
    IReadOnlyList<FieldMappingRow> FieldMappings,
    string? EventsJsonPath = null,
    IntakeLogSource? LogSource = null,
    IReadOnlyDictionary<string, string>? SigmaFields = null)
{
    public static readonly IntakeDefinition WholeBody = new("$", []);
}

/// <summary>A declared Sigma log source: product (linux, zeek, cisco, aws, …), service and category.</summary>
public sealed record IntakeLogSource(string? Product, string? Service, string? Category);

public sealed class CompiledIntake
{
    public const int MaxSigmaFields = 200;

    private CompiledIntake(JsonPath main, JsonPath? events, FieldMap fields, Sigma.SigmaLogSource? logSource, IReadOnlyDictionary<string, string>? sigmaFields)
    {
        Main = main;
        EventsPath = events;
        Fields = fields;
        LogSource = logSource;
        SigmaFields = sigmaFields;
    }

    public JsonPath Main { get; }
    public JsonPath? EventsPath { get; }
    public FieldMap Fields { get; }
    public Sigma.SigmaLogSource? LogSource { get; }
    public IReadOnlyDictionary<string, string>? SigmaFields { get; }

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
        var logSource = definition.LogSource is { } declared ? CheckLogSource(declared, local) : null;
        CheckSigmaFields(definition.SigmaFields, local);
        foreach (var error in local)
        {
            errors.Add($"{label}.{error}");
        }
        return errors.Count == before ? new CompiledIntake(main, events, fields, logSource, definition.SigmaFields) : null;
    }

    private static Sigma.SigmaLogSource? CheckLogSource(IntakeLogSource declared, List<string> errors)
    {
        foreach (var (name, value) in new[] { ("product", declared.Product), ("service", declared.Service), ("category", declared.Category) })
        {
            if (value is not null && (value.Length is 0 or > 100 || !value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-')))
            {
                errors.Add($"logSource.{name}: '{(value.Length > 100 ? value[..100] + "…" : value)}' is not a Sigma log source name (lower-case letters, digits, '_' and '-', such as linux, zeek, process_creation).");
            }
        }
        if (declared.Product is null)
        {
            errors.Add("logSource.product is required: the product the events come from, as Sigma rules name it (linux, zeek, cisco, aws, azure, okta, …).");
        }
        return new Sigma.SigmaLogSource(declared.Product, declared.Category, declared.Service);
    }

    private static void CheckSigmaFields(IReadOnlyDictionary<string, string>? sigmaFields, List<string> errors)
    {
        if (sigmaFields is null)
        {
            return;
        }
        if (sigmaFields.Count > MaxSigmaFields)
        {
            errors.Add($"sigmaFields: at most {MaxSigmaFields} names.");
        }
        foreach (var (from, to) in sigmaFields.Where(f => string.IsNullOrWhiteSpace(f.Key) || string.IsNullOrWhiteSpace(f.Value) || f.Key.Length > 200 || f.Value.Length > 200))
        {
            errors.Add($"sigmaFields: '{Short(from)}' → '{Short(to)}' needs an event field name and a Sigma field name of at most 200 characters.");
        }
    }

    private static string Short(string? value) => value is { Length: > 100 } ? value[..100] + "…" : value ?? "";

    /// <summary>Compiles a definition already known to be valid (it was validated when saved).</summary>
    public static CompiledIntake CompileValid(IntakeDefinition definition, FieldCatalog catalog)
    {
        var errors = new List<string>();
        return Compile(definition, catalog, "intake", errors)
            ?? throw new InvalidOperationException(string.Join(" ", errors));
    }
}
