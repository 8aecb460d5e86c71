using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Gatehouse.Bench.Http;

public sealed record LoadResult(double RequestsPerSecond, double P50Ms, double P99Ms, long Requests, long NotOk);

/// <summary>Drives a server with wrk (Debian's <c>wrk</c>): POST of one body with fixed headers, a given number of connections.</summary>
public static partial class Wrk
{
    public static async Task<LoadResult> RunAsync(string url, string body, IDictionary<string, string> headers, int connections, TimeSpan duration, int threads)
    {
        var script = Path.Combine(Path.GetTempPath(), $"gatehouse-bench-{Guid.NewGuid():N}.lua");
        var lua = new StringBuilder("wrk.method = \"POST\"\n").Append("wrk.body = ").Append(LuaString(body)).Append('\n');
        foreach (var (name, value) in headers)
        {
            lua.Append("wrk.headers[").Append(LuaString(name)).Append("] = ").Append(LuaString(value)).Append('\n');
        }
        // Count anything but 2xx, so a run that only collects errors cannot pass for a fast one.
        lua.Append("""
            local bad = 0
            function response(status, headers, body) if status < 200 or status > 299 then bad = bad + 1 end end
            function done(summary, latency, requests) io.write(string.format("NOT_OK %d\n", bad)) end
            """);
        await File.WriteAllTextAsync(script, lua.ToString());
        try
        {
            var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "-t", threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
                         "-d", $"{(int)duration.TotalSeconds}s", "--latency", "-s", script, url })
            {
                start.ArgumentList.Add(argument);
            }
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            return Parse(output);
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static LoadResult Parse(string output)
    {
        double Milliseconds(string percentile)
        {
            var match = Regex.Match(output, $@"^\s*{percentile}%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
            var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
        }
        var rps = double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var requests = long.Parse(RequestsTotal().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var notOk = long.Parse(NotOk().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        return new LoadResult(rps, Milliseconds("50"), Milliseconds("99"), requests, notOk);
    }

    private static string LuaString(string text) =>
        "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex RequestsTotal();

    [GeneratedRegex(@"NOT_OK (\d+)")]
    private static partial Regex NotOk();
}
