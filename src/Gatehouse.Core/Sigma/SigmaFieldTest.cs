namespace Gatehouse.Core.Sigma;

/// <summary>
/// One <c>Field|modifiers: values</c> entry of a selection. The values are alternatives (any one
/// matches) unless the rule says <c>all</c>. A null field name means keywords: any string value of
/// the event.
/// </summary>
public sealed class SigmaFieldTest
{
    public enum Kind { Values, Null, Exists, Missing }

    public SigmaFieldTest(string? field, Kind kind, IReadOnlyList<SigmaValueMatcher> matchers, bool all)
    {
        Field = field;
        TestKind = kind;
        Matchers = matchers;
        All = all;
    }

    public string? Field { get; }
    public Kind TestKind { get; }
    public IReadOnlyList<SigmaValueMatcher> Matchers { get; }
    public bool All { get; }

    public bool Matches(SigmaEvent evt) => Match(evt) is not null;

    /// <summary>The event value that satisfied the test ("" for a test of presence or absence), or null.</summary>
    public string? Match(SigmaEvent evt)
    {
        if (Field is null)
        {
            return MatchKeywords(evt);
        }
        var values = evt.Values(Field);
        switch (TestKind)
        {
            case Kind.Exists:
                return values is not null ? "" : null;
            case Kind.Missing:
                return values is null ? "" : null;
            case Kind.Null:
                return values is null || values.All(v => v is null) ? "" : null;
        }
        return values is null ? null : Combine(matcher => FirstMatching(values, matcher, evt));
    }

    /// <summary>Any matcher (or, with <c>all</c>, every matcher) must find a value.</summary>
    private string? Combine(Func<SigmaValueMatcher, string?> find)
    {
        string? witness = null;
        foreach (var matcher in Matchers)
        {
            var found = find(matcher);
            if (found is not null && !All)
            {
                return found;
            }
            if (found is null && All)
            {
                return null;
            }
            witness ??= found;
        }
        return All ? witness : null;
    }

    private static string? FirstMatching(IReadOnlyList<string?> values, SigmaValueMatcher matcher, SigmaEvent evt)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is { } value && matcher.Matches(value, evt))
            {
                return value;
            }
        }
        return null;
    }

    private string? MatchKeywords(SigmaEvent evt) => Combine(matcher =>
    {
        foreach (var value in evt.Strings)
        {
            if (matcher.Matches(value, evt))
            {
                return value;
            }
        }
        return null;
    });
}
