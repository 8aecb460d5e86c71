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
        // A reason is in the first words; a script's long error text need not be read whole.
        var text = message.Length > 1000 ? message[..1000].Trim() : message.Trim();
        var clause = FirstClause().Match(text) is { Success: true } m ? m.Groups["clause"].Value : text;
        clause = Quoted().Replace(clause, "'…'");
        clause = Number().Replace(clause, "N");
        clause = clause.TrimEnd('.', ' ', ';');
        return clause.Length <= MaxLength ? clause : clause[..(MaxLength - 1)] + "…";
    }

    // Up to the first ": " or sentence end outside quotes; an apostrophe inside a word ("key's") opens no quote.
    [GeneratedRegex(@"^(?<clause>(?:(?<![\p{L}\p{N}])'[^']*'|""[^""]*""|(?<=[\p{L}\p{N}])'|[^'"":.]|\.(?!\s|$)|:(?!\s))+)")]
    private static partial Regex FirstClause();

    [GeneratedRegex(@"(?<![\p{L}\p{N}])'[^']*'(?![\p{L}\p{N}])|""[^""]*""")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\b\d+(?:[.,]\d+)*\b")]
    private static partial Regex Number();
}
