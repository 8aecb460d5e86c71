namespace Gatehouse.Core.Incidents;

/// <summary>The lists an incident field takes its value from.</summary>
public enum Vocabulary { Status, Severity, Stage, Priority, Disposition }

/// <summary>
/// The allowed values of an incident's status, stage, priority and disposition (configurable) and
/// severity (fixed). New incidents take the first status; <see cref="ClosedStatus"/> is set only by closing.
/// Severity and priority are listed from highest to lowest, which is how filters order them.
/// </summary>
public sealed record IncidentVocabulary(
    IReadOnlyList<string> Statuses,
    IReadOnlyList<string> Stages,
    IReadOnlyList<string> Priorities,
    IReadOnlyList<string> Dispositions,
    string ClosedStatus)
{
    public static readonly IReadOnlyList<string> Severities = ["Critical", "High", "Medium", "Low", "Informational"];

    public static readonly IncidentVocabulary Default = new(
        ["Open", "In Progress", "Closed"],
        ["Detection", "Triage", "Investigation", "Containment", "Eradication", "Recovery", "Lessons Learned"],
        ["Critical", "High", "Medium", "Low"],
        ["True Positive", "Benign Positive", "False Positive", "Duplicate", "Undetermined"],
        "Closed");

    public string InitialStatus => Statuses[0];

    public IReadOnlyList<string> Of(Vocabulary vocabulary) => vocabulary switch
    {
        Vocabulary.Status => Statuses,
        Vocabulary.Severity => Severities,
        Vocabulary.Stage => Stages,
        Vocabulary.Priority => Priorities,
        _ => Dispositions,
    };

    /// <summary>The allowed value as configured, matched case-insensitively, or null.</summary>
    public string? Canonical(Vocabulary vocabulary, string? value) =>
        value is null ? null : Of(vocabulary).FirstOrDefault(v => string.Equals(v, value.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>What is wrong with a configured vocabulary, for start-up validation.</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var (name, values) in new[] { ("Statuses", Statuses), ("Stages", Stages), ("Priorities", Priorities), ("Dispositions", Dispositions) })
        {
            if (values.Count == 0 || values.Any(string.IsNullOrWhiteSpace))
            {
                yield return $"Gatehouse:Incidents:{name} must list at least one value, none of them empty.";
            }
            else if (values.Distinct(StringComparer.OrdinalIgnoreCase).Count() != values.Count)
            {
                yield return $"Gatehouse:Incidents:{name} lists a value twice.";
            }
        }
        if (!Statuses.Contains(ClosedStatus, StringComparer.OrdinalIgnoreCase))
        {
            yield return $"Gatehouse:Incidents:ClosedStatus '{ClosedStatus}' must be one of Gatehouse:Incidents:Statuses.";
        }
        else if (Statuses.Count < 2 || string.Equals(Statuses[0], ClosedStatus, StringComparison.OrdinalIgnoreCase))
        {
            yield return "Gatehouse:Incidents:Statuses must start with the status of a new incident, which cannot be the closed status.";
        }
    }
}
