using System.Globalization;

namespace Gatehouse.Core.Intake;

/// <summary>How long a sender asks to wait for processing: <c>?wait=N</c> or <c>Prefer: wait=N</c> (RFC 7240).</summary>
public static class WaitPreference
{
    /// <summary>
    /// Null when no wait was asked for. The result is clamped to <paramref name="maxSeconds"/>;
    /// <paramref name="error"/> is set when a value is present but not a non-negative number.
    /// </summary>
    public static TimeSpan? Parse(string? query, string? preferHeader, int maxSeconds, out string? error)
    {
        error = null;
        var text = query;
        if (string.IsNullOrEmpty(text) && !string.IsNullOrEmpty(preferHeader))
        {
            text = preferHeader.Split([',', ';'], StringSplitOptions.TrimEntries)
                .Select(p => p.Split('=', 2, StringSplitOptions.TrimEntries))
                .Where(p => p.Length == 2 && p[0].Equals("wait", StringComparison.OrdinalIgnoreCase))
                .Select(p => p[1].Trim('"'))
                .FirstOrDefault();
        }
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            || double.IsNaN(seconds) || seconds < 0)
        {
            error = $"'wait' must be a number of seconds between 0 and {maxSeconds}.";
            return null;
        }
        return TimeSpan.FromSeconds(Math.Min(seconds, maxSeconds));
    }
}
