namespace Gatehouse.Infrastructure;

public static class Text
{
    /// <summary>A query value, trimmed; null when the filter was left empty.</summary>
    public static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
