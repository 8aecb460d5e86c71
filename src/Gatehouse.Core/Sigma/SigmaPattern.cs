using System.Text;
using System.Text.RegularExpressions;

namespace Gatehouse.Core.Sigma;

/// <summary>
/// A Sigma string value with its wildcards: <c>*</c> (any run) and <c>?</c> (one character), escaped
/// with a backslash (<c>\*</c>, <c>\?</c>, <c>\\</c>); a backslash before any other character is
/// literal, as in pySigma. Matching is case-insensitive unless the rule says <c>cased</c>.
/// </summary>
public sealed class SigmaPattern
{
    private readonly string[] _segments;
    private readonly bool _leadingStar;
    private readonly bool _trailingStar;
    private readonly Regex? _withQuestionMarks;
    private readonly StringComparison _comparison;

    private SigmaPattern(string[] segments, bool leadingStar, bool trailingStar, Regex? withQuestionMarks, bool cased)
    {
        _segments = segments;
        _leadingStar = leadingStar;
        _trailingStar = trailingStar;
        _withQuestionMarks = withQuestionMarks;
        _comparison = cased ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
    }

    /// <summary>The literal text between wildcards, for the rule index.</summary>
    public IReadOnlyList<string> Literals => _segments;

    /// <summary>True when the pattern is <c>*literal*</c>: the value contains one literal.</summary>
    public bool IsContains => _leadingStar && _trailingStar && _segments.Length == 1 && _withQuestionMarks is null;

    public bool IsCased => _comparison == StringComparison.Ordinal;

    /// <summary>True when the pattern has no wildcard: it matches one exact value.</summary>
    public bool IsExact => !_leadingStar && !_trailingStar && _segments.Length == 1 && _withQuestionMarks is null;

    /// <summary>
    /// Parses a rule value. <paramref name="anyBefore"/> and <paramref name="anyAfter"/> add the
    /// wildcards of <c>endswith</c>, <c>startswith</c> and <c>contains</c>: real wildcards, which a
    /// value ending in a backslash (<c>'\Monitors\'</c>) does not escape.
    /// </summary>
    public static SigmaPattern Parse(string value, bool cased, bool anyBefore = false, bool anyAfter = false)
    {
        var tokens = new List<(char Char, bool Wildcard)>();
        if (anyBefore)
        {
            tokens.Add(('*', true));
        }
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\\' && i + 1 < value.Length && value[i + 1] is '*' or '?' or '\\')
            {
                tokens.Add((value[++i], false));
                continue;
            }
            tokens.Add((c, c is '*' or '?'));
        }
        if (anyAfter)
        {
            tokens.Add(('*', true));
        }
        return Build(tokens, cased);
    }

    private static SigmaPattern Build(List<(char Char, bool Wildcard)> tokens, bool cased)
    {
        var segments = new List<string>();
        var current = new StringBuilder();
        var regex = new StringBuilder("^");
        var hasQuestion = false;
        var leadingStar = tokens is [('*', true), ..];
        var trailingStar = tokens is [.., ('*', true)];
        foreach (var (c, wildcard) in tokens)
        {
            if (!wildcard)
            {
                current.Append(c);
                regex.Append(Regex.Escape(c.ToString()));
                continue;
            }
            if (current.Length > 0)
            {
                segments.Add(current.ToString());
                current.Clear();
            }
            hasQuestion |= c == '?';
            regex.Append(c == '*' ? ".*" : ".");
        }
        if (current.Length > 0 || tokens.Count == 0)
        {
            segments.Add(current.ToString());
        }
        var options = RegexOptions.Singleline | RegexOptions.CultureInvariant | (cased ? RegexOptions.None : RegexOptions.IgnoreCase);
        var withQuestionMarks = hasQuestion ? new Regex(regex.Append('$').ToString(), options, TimeSpan.FromMilliseconds(100)) : null;
        return new SigmaPattern(segments.ToArray(), leadingStar, trailingStar, withQuestionMarks, cased);
    }

    public bool Matches(string value)
    {
        if (_withQuestionMarks is not null)
        {
            try
            {
                return _withQuestionMarks.IsMatch(value);
            }
            catch (RegexMatchTimeoutException)
            {
                return false;
            }
        }
        if (_segments.Length == 0)
        {
            return true;
        }
        if (!_leadingStar && !_trailingStar && _segments.Length == 1)
        {
            return value.Equals(_segments[0], _comparison);
        }
        var position = 0;
        var last = _segments.Length - 1;
        for (var i = 0; i <= last; i++)
        {
            var segment = _segments[i];
            if (i == 0 && !_leadingStar)
            {
                if (!value.StartsWith(segment, _comparison))
                {
                    return false;
                }
                position = segment.Length;
            }
            else if (i == last && !_trailingStar)
            {
                return value.Length - segment.Length >= position && value.EndsWith(segment, _comparison);
            }
            else
            {
                var found = value.IndexOf(segment, position, _comparison);
                if (found < 0)
                {
                    return false;
                }
                position = found + segment.Length;
            }
        }
        return true;
    }
}
