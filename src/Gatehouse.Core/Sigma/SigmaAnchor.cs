namespace Gatehouse.Core.Sigma;

/// <summary>
/// A literal an event's field must hold for a rule to have a chance: the whole value (exact) or a
/// piece of it. The index looks rules up by these, so one event is not tested against every rule.
/// </summary>
public sealed record SigmaAnchor(string Field, string Literal, bool Exact)
{
    public const int GramLength = 3;

    public static IReadOnlyList<SigmaAnchor>? ForTest(SigmaFieldTest test)
    {
        if (test.Field is null || test.TestKind != SigmaFieldTest.Kind.Values)
        {
            return null;
        }
        var field = test.Field;
        if (test.All)
        {
            // Any one value is needed; each of its variants is an alternative.
            var needed = test.Matchers.Where(m => m.Patterns.Count > 0).Select(m => m.Patterns.Select(p => ForPattern(field, p)).ToList())
                .Where(anchors => anchors.All(a => a is not null)).Select(anchors => anchors.Select(a => a!).ToList());
            return needed.MinBy(Cost);
        }
        if (test.Matchers.Any(m => m.Patterns.Count == 0))
        {
            return null;
        }
        var each = test.Matchers.SelectMany(m => m.Patterns).Select(p => ForPattern(field, p)).ToList();
        return each.Any(a => a is null) ? null : each.Select(a => a!).ToList();
    }

    /// <summary>Lower is better: few anchors, each on a long literal.</summary>
    public static int Cost(IReadOnlyList<SigmaAnchor>? anchors) =>
        anchors is null ? int.MaxValue : anchors.Sum(a => a switch
        {
            { Exact: true, Literal.Length: >= 4 } => 1,
            { Exact: true } => 30,
            { Literal.Length: >= 6 } => 2,
            { Literal.Length: >= 4 } => 4,
            _ => 10,
        });

    private static SigmaAnchor? ForPattern(string field, SigmaPattern pattern)
    {
        if (pattern.IsExact)
        {
            return pattern.Literals[0].Length > 0 ? new SigmaAnchor(field, pattern.Literals[0], true) : null;
        }
        var longest = pattern.Literals.MaxBy(l => l.Length);
        return longest is { Length: >= GramLength } ? new SigmaAnchor(field, longest, false) : null;
    }
}
