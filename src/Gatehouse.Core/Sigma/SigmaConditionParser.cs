using System.Text.RegularExpressions;

namespace Gatehouse.Core.Sigma;

/// <summary>
/// Parses a Sigma condition: selection names, <c>and</c>, <c>or</c>, <c>not</c> (binding in that
/// order, tightest last), parentheses, and <c>1 of</c> / <c>any of</c> / <c>all of</c> a name
/// pattern (<c>selection_*</c>) or <c>them</c> (every selection not starting with an underscore).
/// Aggregations (<c>| count()</c>) are not supported.
/// </summary>
public sealed partial class SigmaConditionParser
{
    private readonly List<string> _tokens;
    private readonly IReadOnlyDictionary<string, SigmaSelection> _selections;
    private int _position;

    private SigmaConditionParser(List<string> tokens, IReadOnlyDictionary<string, SigmaSelection> selections)
    {
        _tokens = tokens;
        _selections = selections;
    }

    public static SigmaExpression Parse(string condition, IReadOnlyDictionary<string, SigmaSelection> selections)
    {
        if (condition.Contains('|'))
        {
            throw new SigmaRuleException("aggregation conditions ('|') are not supported");
        }
        var tokens = Token().Matches(condition).Select(m => m.Value).ToList();
        if (tokens.Count == 0)
        {
            throw new SigmaRuleException("the condition is empty");
        }
        var parser = new SigmaConditionParser(tokens, selections);
        var expression = parser.ParseOr();
        return parser._position == tokens.Count
            ? expression
            : throw new SigmaRuleException($"unexpected '{tokens[parser._position]}' in the condition");
    }

    private SigmaExpression ParseOr()
    {
        var operands = new List<SigmaExpression> { ParseAnd() };
        while (Accept("or"))
        {
            operands.Add(ParseAnd());
        }
        return operands.Count == 1 ? operands[0] : new SigmaOr(operands);
    }

    private SigmaExpression ParseAnd()
    {
        var operands = new List<SigmaExpression> { ParseNot() };
        while (Accept("and"))
        {
            operands.Add(ParseNot());
        }
        return operands.Count == 1 ? operands[0] : new SigmaAnd(operands);
    }

    private SigmaExpression ParseNot() => Accept("not") ? new SigmaNot(ParseNot()) : ParsePrimary();

    private SigmaExpression ParsePrimary()
    {
        var token = Next();
        if (token == "(")
        {
            var inner = ParseOr();
            return Accept(")") ? inner : throw new SigmaRuleException("a parenthesis in the condition is not closed");
        }
        if (token.ToLowerInvariant() is "1" or "any" or "all" && Peek()?.ToLowerInvariant() == "of")
        {
            _position++;
            var chosen = Choose(Next());
            return token.Equals("all", StringComparison.OrdinalIgnoreCase) ? new SigmaAnd(chosen) : new SigmaOr(chosen);
        }
        if (token is ")" || IsKeyword(token))
        {
            throw new SigmaRuleException($"unexpected '{token}' in the condition");
        }
        return _selections.TryGetValue(token, out var selection)
            ? selection
            : throw new SigmaRuleException($"the condition names '{token}', which is not defined");
    }

    private List<SigmaExpression> Choose(string target)
    {
        IEnumerable<SigmaSelection> chosen = target.Equals("them", StringComparison.OrdinalIgnoreCase)
            ? _selections.Values.Where(s => !s.Name.StartsWith('_'))
            : _selections.Values.Where(s => SigmaPattern.Parse(target, cased: true).Matches(s.Name));
        var list = chosen.Cast<SigmaExpression>().ToList();
        return list.Count > 0 ? list : throw new SigmaRuleException($"'of {target}' names no selection");
    }

    private bool Accept(string keyword)
    {
        if (Peek() is { } token && token.Equals(keyword, StringComparison.OrdinalIgnoreCase))
        {
            _position++;
            return true;
        }
        return false;
    }

    private string? Peek() => _position < _tokens.Count ? _tokens[_position] : null;

    private string Next() => _position < _tokens.Count
        ? _tokens[_position++]
        : throw new SigmaRuleException("the condition ends too early");

    private static bool IsKeyword(string token) => token.ToLowerInvariant() is "and" or "or" or "not" or "of";

    [GeneratedRegex(@"\(|\)|[^\s()]+")]
    private static partial Regex Token();
}
