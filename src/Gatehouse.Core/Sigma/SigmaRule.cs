using System.Text.RegularExpressions;

namespace Gatehouse.Core.Sigma;

/// <summary>A compiled Sigma rule. Its author travels with every match (Detection Rule License 1.1).</summary>
public sealed partial class SigmaRule
{
    public required string Id { get; init; }
    public required string Title { get; init; }
    public required string Level { get; init; }
    public required string Author { get; init; }
    public required string Path { get; init; }
    public required IReadOnlyList<string> Tags { get; init; }
    public required SigmaLogSource LogSource { get; init; }
    public required SigmaExpression Condition { get; init; }
    /// <summary>The condition as the rule writes it.</summary>
    public string ConditionText { get; init; } = "";

    /// <summary>Technique IDs from <c>attack.t1059.001</c>-style tags, upper-cased.</summary>
    public IReadOnlyList<string> Techniques => field ??= Tags
        .Select(t => TechniqueTag().Match(t))
        .Where(m => m.Success)
        .Select(m => m.Groups[1].Value.ToUpperInvariant())
        .Distinct()
        .ToList();

    /// <summary>Tactic short names from tags such as <c>attack.execution</c> or <c>attack.defense-evasion</c>.</summary>
    public IReadOnlyList<string> TacticNames => field ??= Tags
        .Select(t => TacticTag().Match(t))
        .Where(m => m.Success)
        .Select(m => m.Groups[1].Value.ToLowerInvariant())
        .Distinct()
        .ToList();

    /// <summary>The fields the rule's selections test; empty for keyword rules.</summary>
    public IReadOnlyList<string> Fields => field ??= Condition.Selections().SelectMany(s => s.Fields).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>
    /// Whether the rule matches. A rule that names fields never fires on an event that has none of them:
    /// a condition such as <c>not selection</c> would otherwise hold for every unrelated event.
    /// </summary>
    public bool Matches(SigmaEvent evt) => (Fields.Count == 0 || Fields.Any(f => evt.Values(f) is not null)) && Condition.Matches(evt);

    public IReadOnlyList<SigmaWitness> Explain(SigmaEvent evt)
    {
        var witnesses = new List<SigmaWitness>();
        Condition.Explain(evt, witnesses);
        return witnesses.DistinctBy(w => (w.Field, w.Value)).ToList();
    }

    [GeneratedRegex(@"^attack\.(t\d{4}(?:\.\d{3})?)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TechniqueTag();

    /// <summary><c>attack.</c> and a name of letters and hyphens: a tactic (groups and software are g0001, s0001).</summary>
    [GeneratedRegex(@"^attack\.([a-z][a-z-]*)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TacticTag();
}

/// <summary>A rule that matched an event, and the values that made it match.</summary>
public sealed record SigmaHit(SigmaRule Rule, IReadOnlyList<SigmaWitness> Witnesses);

/// <summary>A rule file Gatehouse could not use, and why.</summary>
public sealed record SkippedSigmaRule(string Path, string? Id, string Reason);
