namespace Gatehouse.Core.Incidents;

/// <summary>
/// SQL's LIKE, any case: <c>%</c> any run of characters, <c>_</c> one character, the rest literal. Matched with
/// the classic wildcard walk that only ever returns to the last <c>%</c>, so a hostile pattern costs at most
/// pattern × text steps and usually one pass, never an exponential search.
/// </summary>
public sealed class LikePattern(string pattern)
{
    public string Pattern { get; } = pattern;

    public bool IsMatch(string text)
    {
        int t = 0, p = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < Pattern.Length && Pattern[p] != '%' && (Pattern[p] == '_' || Same(Pattern[p], text[t])))
            {
                t++;
                p++;
            }
            else if (p < Pattern.Length && Pattern[p] == '%')
            {
                star = p++;
                resume = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }
        while (p < Pattern.Length && Pattern[p] == '%')
        {
            p++;
        }
        return p == Pattern.Length;
    }

    private static bool Same(char a, char b) => a == b || char.ToUpperInvariant(a) == char.ToUpperInvariant(b);
}
