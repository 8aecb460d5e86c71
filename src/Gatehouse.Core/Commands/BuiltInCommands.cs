namespace Gatehouse.Core.Commands;

/// <summary>The built-in utility commands a Utility Command key can target.</summary>
public static class BuiltInCommands
{
    public static readonly IReadOnlyList<string> Names =
    [
        "CreateIncident",
        "GetIncidents",
        "GetIncidentsWithNewParameters",
        "GetEvents",
        "DismissEvents",
        "SetEventTechniques",
        "LinkEventsToIncident",
        "ExtractArtifacts",
        "MitreTtpSearch",
    ];

    /// <summary>The command's canonical name when <paramref name="name"/> names a built-in (any case), else null.</summary>
    public static string? Find(string name) =>
        Names.FirstOrDefault(n => string.Equals(n, name.Trim(), StringComparison.OrdinalIgnoreCase));
}
