using System.Text.RegularExpressions;

namespace Gatehouse.Infrastructure;

/// <summary>One problem of a refused request: the member it is about, as the client wrote it, and the message.</summary>
public sealed record Violation(string? Member, string Message);

/// <summary>
/// Reads the member out of a validation message. Messages name their member first, quoted (<c>'name' is required</c>)
/// or as a path label (<c>tasks[2].after: …</c>, <c>Filter[1][0].operator: …</c>); a message that names none is about
/// the whole body, and its member is null rather than a guess.
/// </summary>
public static partial class Violations
{
    public static Violation From(string message)
    {
        var quoted = QuotedMember().Match(message);
        if (quoted.Success)
        {
            return new Violation(quoted.Groups[1].Value, message);
        }
        var label = LabelMember().Match(message);
        return new Violation(label.Success ? label.Groups[1].Value : null, message);
    }

    public static List<Violation> From(IEnumerable<string> messages) => messages.Select(m => From(Shorten(m))).ToList();

    /// <summary>
    /// A message that quotes what the client sent is cut where the quote is long, so a refused 200 kB value is not
    /// sent back (nor into logs) whole.
    /// </summary>
    public static string Shorten(string message)
    {
        var shortened = LongQuote().Replace(message, m => $"'{m.Groups[1].Value[..100]}…'");
        return shortened.Length > 4000 ? shortened[..4000] + "…" : shortened;
    }

    [GeneratedRegex(@"'([^']{200,})'")]
    private static partial Regex LongQuote();

    [GeneratedRegex(@"^'([^'\r\n]{1,200})'")]
    private static partial Regex QuotedMember();

    [GeneratedRegex(@"^([A-Za-z_$][\w$]*(?:\[\d+\]|\.[A-Za-z_$][\w$]*)*)(?: \([^)]*\))?: ")]
    private static partial Regex LabelMember();
}
