using Gatehouse.Core.Statistics;

namespace Gatehouse.Core.Tests.Statistics;

public class TimeWindowTests
{
    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Up_to_two_days_is_cut_into_hours_aligned_to_the_hour()
    {
        var (window, error) = TimeWindow.Create(At("2026-12-02T14:25:00Z"), At("2026-12-03T14:25:00Z"));
        Assert.Null(error);
        Assert.True(window!.IsHourly);
        Assert.Equal(At("2026-12-02T14:00:00Z"), window.From);
        Assert.Equal(At("2026-12-03T15:00:00Z"), window.To);
        Assert.Equal(25, window.Count);
        Assert.Equal(0, window.IndexOf(At("2026-12-02T14:59:59Z")));
        Assert.Equal(24, window.IndexOf(At("2026-12-03T14:30:00Z")));
        Assert.Null(window.IndexOf(At("2026-12-03T15:00:00Z")));
        Assert.Null(window.IndexOf(At("2026-12-02T13:59:59Z")));
    }

    [Fact]
    public void Longer_ranges_are_cut_into_UTC_days_whatever_the_offset_given()
    {
        var (window, _) = TimeWindow.Create(At("2026-11-01T01:00:00+02:00"), At("2026-11-30T00:00:00Z"));
        Assert.False(window!.IsHourly);
        Assert.Equal(At("2026-10-31T00:00:00Z"), window.From);
        Assert.Equal(30, window.Count);
        Assert.Equal(TimeSpan.Zero, window.Starts[0].Offset);
    }

    [Theory]
    [InlineData("2026-12-02T00:00:00Z", "2026-12-02T00:00:00Z", "'from' must be before 'to'.")]
    [InlineData("2026-12-02T00:00:00Z", "2026-12-01T00:00:00Z", "'from' must be before 'to'.")]
    [InlineData("2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z", "'from' and 'to' may be at most 92 days apart.")]
    public void A_range_that_is_empty_backwards_or_too_long_is_refused(string from, string to, string expected)
    {
        var (window, error) = TimeWindow.Create(At(from), At(to));
        Assert.Null(window);
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00Z", null, "'from' must be between 1970-01-01 and 9999-01-01.")]
    [InlineData("2026-12-01T00:00:00Z", "9999-12-31T23:59:59Z", "'to' must be between 1970-01-01 and 9999-01-01.")]
    [InlineData(null, "0001-01-01T00:00:00Z", "'to' must be between 1970-01-01 and 9999-01-01.")]
    [InlineData("9998-12-31T00:00:00Z", "9999-01-01T00:00:00Z", "'to' must be between 1970-01-01 and 9999-01-01.")]
    public void Regression_dates_near_the_ends_of_the_calendar_are_refused_instead_of_overflowing(string? from, string? to, string expected)
    {
        var (window, error) = TimeWindow.Create(from is null ? null : At(from), to is null ? null : At(to), At("2026-12-04T12:00:00Z"), TimeSpan.FromDays(1));
        Assert.Null(window);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void An_open_range_ends_now_and_starts_the_default_span_before_its_end()
    {
        var now = At("2026-12-04T12:30:00Z");
        var (last, _) = TimeWindow.Create(null, null, now, TimeSpan.FromHours(24));
        Assert.Equal(At("2026-12-03T12:00:00Z"), last!.From);
        Assert.Equal(At("2026-12-04T13:00:00Z"), last.To);

        var (untilThen, _) = TimeWindow.Create(null, At("2026-11-10T00:00:00Z"), now, TimeSpan.FromDays(7));
        Assert.Equal(At("2026-11-03T00:00:00Z"), untilThen!.From);
        Assert.False(untilThen.IsHourly);

        var (early, _) = TimeWindow.Create(null, At("1970-01-01T06:00:00Z"), now, TimeSpan.FromDays(7));
        Assert.Equal(TimeWindow.Earliest, early!.From);
    }
}

public class FailureReasonsTests
{
    [Theory]
    [InlineData("The formatter 'Lower Host' failed: ReferenceError: x is not defined", "The formatter '…' failed")]
    [InlineData("The formatter 'Other' failed: TypeError: cannot read 'a'", "The formatter '…' failed")]
    [InlineData("The main JSON path '$.hits.hits' selected nothing in the request body.", "The main JSON path '…' selected nothing in the request body")]
    [InlineData("Processing failed after 3 attempts: the sandbox process crashed.", "Processing failed after N attempts")]
    [InlineData("Severity 'bogus' is not one of Critical, High, Medium, Low, Informational; Medium was used.", "Severity '…' is not one of Critical, High, Medium, Low, Informational; Medium was used")]
    [InlineData("The External ID is longer than 200 characters; the event was not created.", "The External ID is longer than N characters; the event was not created")]
    [InlineData("Expected a JSON object but found a number; it was skipped.", "Expected a JSON object but found a number; it was skipped")]
    public void Messages_that_differ_only_in_names_and_numbers_share_a_reason(string message, string reason) =>
        Assert.Equal(reason, FailureReasons.Classify(message));

    [Fact]
    public void A_long_reason_is_cut_and_a_dot_inside_a_name_does_not_end_it()
    {
        Assert.Equal("The key's playbook '…' does not exist (any more); no playbook was started",
            FailureReasons.Classify("The key's playbook 'v1.2 triage' does not exist (any more); no playbook was started."));
        var reason = FailureReasons.Classify(new string('x', 500));
        Assert.Equal(120, reason.Length);
        Assert.EndsWith("…", reason);
    }
}

public class BacklogTests
{
    [Fact]
    public void The_backlog_at_each_bucket_end_is_what_waits_now_less_what_arrived_since_plus_what_was_done_since()
    {
        // 1 waits at the start; buckets: 5 arrive, 2 done; 3 arrive, 4 done; 0 arrive, 1 done; after the window 1 arrives and 1 is done; 2 wait now.
        var backlog = Backlog.AtBucketEnds(unprocessedNow: 2, receivedPerBucket: [5, 3, 0], receivedAfterWindow: 1, processedPerBucket: [2, 4, 1], processedAfterWindow: 1);
        Assert.Equal([4, 3, 2], backlog);
    }

    [Fact]
    public void A_backlog_never_goes_below_zero() =>
        Assert.Equal([0, 0], Backlog.AtBucketEnds(0, [0, 5], 0, [0, 0], 0));
}

public class TechniqueTrendsTests
{
    [Fact]
    public void The_most_seen_techniques_come_first_with_their_counts_per_bucket_and_an_event_counts_once()
    {
        var (window, _) = TimeWindow.Create(DateTimeOffset.Parse("2026-12-03T00:00:00Z"), DateTimeOffset.Parse("2026-12-03T03:00:00Z"));
        var at = (int hour) => window!.From.AddHours(hour).AddMinutes(5);
        var trends = TechniqueTrends.Top(window!, [
            (at(0), [("T1059.001", "PowerShell"), ("T1059.001", "PowerShell")]),
            (at(2), [("T1059.001", "PowerShell"), ("T1003", "OS Credential Dumping")]),
            (at(2), [("T1003", "OS Credential Dumping")]),
            (at(1), [("T1078", "Valid Accounts")]),
            (window!.To.AddMinutes(1), [("T1078", "Valid Accounts")]),
        ], count: 2);

        Assert.Equal(["T1003", "T1059.001"], trends.Select(t => t.Id));
        Assert.Equal([0, 0, 2], trends[0].PerBucket);
        Assert.Equal([1, 0, 1], trends[1].PerBucket);
        Assert.Equal("PowerShell", trends[1].Name);
    }
}
