using Gatehouse.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gatehouse.Tests.Infrastructure;

public sealed class LogLevelTests
{
    [Theory]
    [InlineData("Microsoft.AspNetCore.Hosting.Diagnostics")]
    [InlineData("Microsoft.AspNetCore.Server.Kestrel.BadRequests")]
    [InlineData("Microsoft.AspNetCore.Server.Kestrel")]
    public void Regression_request_lines_carrying_a_URL_token_stay_out_of_logs_even_when_the_operator_asks_for_trace_for_everything(string category)
    {
        var options = new LoggerFilterOptions { MinLevel = LogLevel.Trace };
        options.Rules.Add(new LoggerFilterRule(null, null, LogLevel.Trace, null));
        options.Rules.Add(new LoggerFilterRule(null, category, LogLevel.Trace, null));
        options.Rules.Add(new LoggerFilterRule(typeof(CapturingLoggerProvider).FullName, null, LogLevel.Trace, null));
        LogLevels.KeepUrlsOutOfLogs(options);
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var factory = new LoggerFactory([new CapturingLoggerProvider(lines)], new StaticOptions(options));

        var logger = factory.CreateLogger(category);
        Assert.False(logger.IsEnabled(LogLevel.Information));
        Assert.False(logger.IsEnabled(LogLevel.Debug));
        Assert.True(logger.IsEnabled(LogLevel.Warning));
        Assert.True(factory.CreateLogger("Gatehouse.Features.Intake").IsEnabled(LogLevel.Trace)); // everything else as asked
    }

    private sealed class StaticOptions(LoggerFilterOptions value) : IOptionsMonitor<LoggerFilterOptions>
    {
        public LoggerFilterOptions CurrentValue => value;

        public LoggerFilterOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<LoggerFilterOptions, string?> listener) => null;
    }
}
