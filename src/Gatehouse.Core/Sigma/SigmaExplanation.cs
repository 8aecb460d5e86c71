namespace Gatehouse.Core.Sigma;

/// <summary>One selection of a rule against an event: whether it held, and the values that made it hold.</summary>
public sealed record SelectionOutcome(string Name, bool Matched, IReadOnlyList<string> Fields, IReadOnlyList<SigmaWitness> Witnesses);

/// <summary>
/// Why a rule did or did not fire on an event: the event's log source against the rule's, which of the
/// rule's fields the event has, each selection's outcome, and the verdict in words.
/// </summary>
public sealed record SigmaExplanation(
    bool Fired,
    string Verdict,
    string? LogSourceMismatch,
    SigmaLogSource.EventSource EventSource,
    IReadOnlyList<string> FieldsPresent,
    IReadOnlyList<string> FieldsMissing,
    IReadOnlyList<SelectionOutcome> Selections)
{
    public static SigmaExplanation Of(SigmaRule rule, SigmaEvent evt, SigmaLogSource? declaredSource = null, SigmaRuleSet? set = null)
    {
        var source = SigmaLogSource.EventSource.Of(evt, declaredSource);
        var mismatch = set is not null && !set.Reports(rule)
            ? $"its level '{rule.Level}' is below the minimum level '{set.MinimumLevel}' (Gatehouse:Sigma:MinimumLevel)"
            : rule.LogSource.Mismatch(source);
        var present = rule.Fields.Where(f => evt.Values(f) is not null).ToList();
        var missing = rule.Fields.Except(present, StringComparer.OrdinalIgnoreCase).ToList();
        var selections = rule.Condition.Selections().DistinctBy(s => s.Name).Select(s =>
        {
            var matched = s.Matches(evt);
            var witnesses = new List<SigmaWitness>();
            if (matched)
            {
                s.Explain(evt, witnesses);
            }
            return new SelectionOutcome(s.Name, matched, s.Fields.Distinct(StringComparer.OrdinalIgnoreCase).ToList(), witnesses);
        }).ToList();
        var conditionHolds = rule.Condition.Matches(evt);
        var fired = mismatch is null && rule.Matches(evt);
        var verdict = fired ? "The rule fires on this event."
            : mismatch is not null ? $"The rule is not tested on this event: {mismatch}."
            : rule.Fields.Count > 0 && present.Count == 0 ? $"The event has none of the rule's fields ({string.Join(", ", rule.Fields)}), so the rule does not fire even though its condition would hold by absence."
            : conditionHolds ? "The condition holds but the rule does not fire."
            : $"The condition '{rule.ConditionText}' does not hold: {Describe(selections)}.";
        return new SigmaExplanation(fired, verdict, mismatch, source, present, missing, selections);
    }

    private static string Describe(IReadOnlyList<SelectionOutcome> selections) =>
        string.Join("; ", selections.Select(s => $"{s.Name} {(s.Matched ? "matched" : "did not match")}"));
}
