namespace Gatehouse.Core.Auth;

/// <summary>How many failed sign-ins are free, and how the wait grows after them.</summary>
public sealed record SignInThrottlePolicy(int FreeFailures, TimeSpan MaxDelay)
{
    /// <summary>The wait after <paramref name="failures"/> consecutive failures: none while free, then 1 s, 2 s, 4 s, … up to the maximum.</summary>
    public TimeSpan DelayAfter(long failures)
    {
        var over = failures - FreeFailures;
        if (over < 0)
        {
            return TimeSpan.Zero;
        }
        var seconds = over >= 30 ? double.MaxValue : Math.Pow(2, over);
        return seconds >= MaxDelay.TotalSeconds ? MaxDelay : TimeSpan.FromSeconds(seconds);
    }
}

/// <summary>Failed sign-ins counted since the last success (within a window), and when the last one was.</summary>
public readonly record struct FailureHistory(long Failures, DateTimeOffset? LastFailureAt);

/// <summary>Sign-in throttling with exponential back-off, per user and per source address; each counted on its own policy.</summary>
public static class SignInThrottle
{
    /// <summary>How long the caller must wait before another attempt is even checked; null when it may try now.</summary>
    public static TimeSpan? RetryAfter(FailureHistory history, SignInThrottlePolicy policy, DateTimeOffset now)
    {
        if (history.LastFailureAt is not { } last)
        {
            return null;
        }
        var until = last + policy.DelayAfter(history.Failures);
        return until > now ? until - now : null;
    }

    /// <summary>The longer of the two waits, so neither a sprayed user nor a guessing source gets through.</summary>
    public static TimeSpan? Longest(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
