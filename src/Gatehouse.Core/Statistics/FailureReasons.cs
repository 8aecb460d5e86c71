using System.Text.RegularExpressions;

namespace Gatehouse.Core.Statistics;

/// <summary>
/// Groups failure messages into reasons: the message's first clause with the names, numbers and addresses it quotes
/// replaced, so "The formatter 'A' failed: x is not defined" and "… 'B' failed: …" are both "The formatter '…' failed".
/// </summary>
public static partial class FailureReasons
{
    private const int MaxLength = 120;

    public static string Classify(string message)
    {
        var text = message.Trim();
        var clause = FirstClause().Match(text) is { Success: true } m ? m.Groups["clause"].Value : text;
        clause = Quoted().Replace(clause, "'…'");
        clause = Number().Replace(clause, "N");
        clause = clause.TrimEnd('.', ' ', ';');
        return clause.Length <= MaxLength ? clause : clause[..(MaxLength - 1)] + "…";
    }

    // Up to the first ": " or sentence end outside quotes.
    [GeneratedRegex(@"^(?<clause>(?:'[^']*'|""[^""]*""|[^'"":.]|\.(?!\s|$)|:(?!\s))+)")]
    private static partial Regex FirstClause();

    [GeneratedRegex(@"'[^']*'|""[^""]*""")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\b\d+(?:[.,]\d+)*\b")]
    private static partial Regex Number();
}
