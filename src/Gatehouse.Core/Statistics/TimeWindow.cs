namespace Gatehouse.Core.Statistics;

/// <summary>
/// A time range cut into equal buckets for charts: hours up to two days, days beyond (at most <see cref="MaxDays"/>).
/// Bounds are aligned to the bucket in UTC, so the same range always gives the same buckets.
/// </summary>
public sealed record TimeWindow(DateTimeOffset From, DateTimeOffset To, TimeSpan Bucket)
{
    public const int MaxDays = 92;
    private static readonly TimeSpan Hourly = TimeSpan.FromHours(1), Daily = TimeSpan.FromDays(1);

    public int Count => (int)((To - From).Ticks / Bucket.Ticks);

    public bool IsHourly => Bucket == Hourly;

    /// <summary>The start of each bucket.</summary>
    public IReadOnlyList<DateTimeOffset> Starts => Enumerable.Range(0, Count).Select(i => From + i * Bucket).ToList();

    /// <summary>The bucket <paramref name="at"/> falls in, or null outside the window.</summary>
    public int? IndexOf(DateTimeOffset at) => at < From || at >= To ? null : (int)((at - From).Ticks / Bucket.Ticks);

    /// <summary>The earliest and the latest instants a range may name: far enough from the calendar's ends to round to a bucket.</summary>
    public static readonly DateTimeOffset Earliest = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero), Latest = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The window for a range, or why it is refused (member names as the API's query parameters):
    /// <paramref name="to"/> defaults to <paramref name="now"/>, <paramref name="from"/> to <paramref name="defaultSpan"/> before it.
    /// </summary>
    public static (TimeWindow? Window, string? Error) Create(DateTimeOffset? from, DateTimeOffset? to, DateTimeOffset now, TimeSpan defaultSpan)
    {
        if ((OutOfRange(to, "to") ?? OutOfRange(from, "from")) is { } error)
        {
            return (null, error);
        }
        var end = to ?? now;
        return Create(from ?? (end - Earliest > defaultSpan ? end - defaultSpan : Earliest), end);
    }

    /// <summary>The window for a range, or why it is refused (member names as the API's query parameters).</summary>
    public static (TimeWindow? Window, string? Error) Create(DateTimeOffset from, DateTimeOffset to)
    {
        if ((OutOfRange(from, "from") ?? OutOfRange(to, "to")) is { } error)
        {
            return (null, error);
        }
        if (to <= from)
        {
            return (null, "'from' must be before 'to'.");
        }
        if (to - from > TimeSpan.FromDays(MaxDays))
        {
            return (null, $"'from' and 'to' may be at most {MaxDays} days apart.");
        }
        var bucket = to - from <= TimeSpan.FromHours(48) ? Hourly : Daily;
        var start = Floor(from.ToUniversalTime(), bucket);
        var end = Floor(to.ToUniversalTime(), bucket);
        if (end < to.ToUniversalTime())
        {
            end += bucket;
        }
        return (new TimeWindow(start, end, bucket), null);
    }

    private static string? OutOfRange(DateTimeOffset? at, string member) => at is { } value && (value < Earliest || value >= Latest)
        ? $"'{member}' must be between {Earliest:yyyy-MM-dd} and {Latest:yyyy-MM-dd}."
        : null;

    private static DateTimeOffset Floor(DateTimeOffset at, TimeSpan bucket) => new(at.UtcTicks - at.UtcTicks % bucket.Ticks, TimeSpan.Zero);
}
