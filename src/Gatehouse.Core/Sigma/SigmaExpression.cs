namespace Gatehouse.Core.Sigma;

/// <summary>A field and the event value that made a rule match.</summary>
public sealed record SigmaWitness(string Field, string Value);

/// <summary>A compiled Sigma condition: selections combined with and, or, not and quantifiers.</summary>
public abstract class SigmaExpression
{
    public abstract bool Matches(SigmaEvent evt);

    /// <summary>Adds the field values that satisfy this (matching) expression.</summary>
    public abstract void Explain(SigmaEvent evt, List<SigmaWitness> into);

    /// <summary>
    /// Literals of which an event must contain at least one for this expression to match, or null
    /// when no such set can be told (a negation, a regular expression, an address range).
    /// </summary>
    public abstract IReadOnlyList<SigmaAnchor>? Anchors();

    /// <summary>The named selections this expression combines, in order.</summary>
    public abstract IEnumerable<SigmaSelection> Selections();
}

/// <summary>A named search: one or more alternatives, each a set of field tests that must all match.</summary>
public sealed class SigmaSelection(string name, IReadOnlyList<IReadOnlyList<SigmaFieldTest>> alternatives) : SigmaExpression
{
    public string Name => name;

    public IReadOnlyList<IReadOnlyList<SigmaFieldTest>> Alternatives => alternatives;

    public override bool Matches(SigmaEvent evt)
    {
        foreach (var tests in alternatives)
        {
            if (AllMatch(tests, evt))
            {
                return true;
            }
        }
        return false;
    }

    public override void Explain(SigmaEvent evt, List<SigmaWitness> into)
    {
        var matching = alternatives.FirstOrDefault(tests => AllMatch(tests, evt));
        foreach (var test in matching ?? [])
        {
            into.Add(new SigmaWitness(test.Field ?? "keywords", test.Match(evt) ?? ""));
        }
    }

    public override IReadOnlyList<SigmaAnchor>? Anchors()
    {
        var union = new List<SigmaAnchor>();
        foreach (var tests in alternatives)
        {
            var best = tests.Select(SigmaAnchor.ForTest).Where(a => a is not null).MinBy(SigmaAnchor.Cost);
            if (best is null)
            {
                return null;
            }
            union.AddRange(best);
        }
        return union;
    }

    public override IEnumerable<SigmaSelection> Selections() => [this];

    /// <summary>The fields this selection tests (keyword searches test none).</summary>
    public IEnumerable<string> Fields => alternatives.SelectMany(t => t).Select(t => t.Field).OfType<string>();

    private static bool AllMatch(IReadOnlyList<SigmaFieldTest> tests, SigmaEvent evt)
    {
        for (var i = 0; i < tests.Count; i++)
        {
            if (!tests[i].Matches(evt))
            {
                return false;
            }
        }
        return true;
    }
}

public sealed class SigmaAnd(IReadOnlyList<SigmaExpression> operands) : SigmaExpression
{
    public override bool Matches(SigmaEvent evt)
    {
        foreach (var operand in operands)
        {
            if (!operand.Matches(evt))
            {
                return false;
            }
        }
        return true;
    }

    public override void Explain(SigmaEvent evt, List<SigmaWitness> into)
    {
        foreach (var operand in operands)
        {
            operand.Explain(evt, into);
        }
    }

    public override IReadOnlyList<SigmaAnchor>? Anchors() =>
        operands.Select(o => o.Anchors()).Where(a => a is not null).MinBy(SigmaAnchor.Cost);

    public override IEnumerable<SigmaSelection> Selections() => operands.SelectMany(o => o.Selections());
}

public sealed class SigmaOr(IReadOnlyList<SigmaExpression> operands) : SigmaExpression
{
    public override bool Matches(SigmaEvent evt)
    {
        foreach (var operand in operands)
        {
            if (operand.Matches(evt))
            {
                return true;
            }
        }
        return false;
    }

    public override void Explain(SigmaEvent evt, List<SigmaWitness> into) =>
        operands.FirstOrDefault(o => o.Matches(evt))?.Explain(evt, into);

    public override IReadOnlyList<SigmaAnchor>? Anchors()
    {
        var union = new List<SigmaAnchor>();
        foreach (var operand in operands)
        {
            if (operand.Anchors() is not { } anchors)
            {
                return null;
            }
            union.AddRange(anchors);
        }
        return union;
    }

    public override IEnumerable<SigmaSelection> Selections() => operands.SelectMany(o => o.Selections());
}

public sealed class SigmaNot(SigmaExpression operand) : SigmaExpression
{
    public override bool Matches(SigmaEvent evt) => !operand.Matches(evt);

    public override void Explain(SigmaEvent evt, List<SigmaWitness> into)
    {
    }

    public override IReadOnlyList<SigmaAnchor>? Anchors() => null;

    public override IEnumerable<SigmaSelection> Selections() => operand.Selections();
}
