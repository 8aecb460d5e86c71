using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Bench;
using Gatehouse.Core.Scripting;
using Gatehouse.Infrastructure;
using Gatehouse.Infrastructure.Sandbox;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

// What running scripts in sandbox processes costs per call, against running them in the server's
// own process (the baseline: the same prepared script, a fresh Jint engine per call, as before).
var calls = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
var formatter = new SandboxScript("function format(e, c) { e.tag = c.site + ':' + e.host; if (e.severity === 'low') { return null; } return e; }");
var command = new SandboxScript("function main(p, c) { return { returnData: { greeting: 'hello ' + p['Who'], n: p['Times'] * 2 } }; }");
var evt = JsonNode.Parse("""{"host":"ws-01","severity":"high","process":{"name":"powershell.exe","command_line":"powershell -enc SQBFAFgA"},"user":"alice","ip":"10.1.2.3"}""")!;
var context = new JsonObject { ["site"] = "Security Operations", ["integration"] = "Kibana", ["refid"] = "r1" };
var parameters = new JsonObject { ["Who"] = "SOC", ["Times"] = 2 };
var commandContext = new JsonObject { ["site"] = "Security Operations", ["username"] = "admin" };

double[] InProcess(SandboxScript script, string function, JsonNode?[] arguments)
{
    var prepared = PreparedScript.Prepare(script.Source);
    return Measure(() => { ScriptSandbox.Call(prepared, function, arguments); return Task.CompletedTask; }).Result;
}

await using var pool = new SandboxPool(Options.Create(new GatehouseOptions()), NullLogger<SandboxPool>.Instance);
var startClock = Stopwatch.StartNew();
await pool.CallAsync(SandboxLane.Formatters, formatter, "format", [evt, context], SandboxLimits.Default, CancellationToken.None);
var firstCall = startClock.Elapsed.TotalMilliseconds;

var rows = new List<(string Name, double[] Samples, string Notes)>
{
    ("Formatter, in the server's process (before)", InProcess(formatter, "format", [evt, context]), "prepared once, fresh engine per call"),
    ("Formatter, in a sandbox process", await Measure(() => pool.CallAsync(SandboxLane.Formatters, formatter, "format", [evt, context], SandboxLimits.Default, CancellationToken.None)), "warm process, script parsed once there"),
    ("Custom command, in the server's process (before)", InProcess(command, "main", [parameters, commandContext]), ""),
    ("Custom command, in a sandbox process", await Measure(() => pool.CallAsync(SandboxLane.Commands, command, "main", [parameters, commandContext], SandboxLimits.Default, CancellationToken.None)), ""),
};

// A crash costs the call that caused it, then a new process for the next call.
var crash = new SandboxScript("function main() { var a = []; for (var i = 0; i < 100000; i++) { a = [a]; } return String(a); }");
var crashClock = Stopwatch.StartNew();
var crashError = "";
try
{
    await pool.CallAsync(SandboxLane.Commands, crash, "main", [], SandboxLimits.Default, CancellationToken.None);
}
catch (ScriptFailedException ex)
{
    crashError = ex.Message;
}
var crashed = crashClock.Elapsed.TotalMilliseconds;
crashClock.Restart();
await pool.CallAsync(SandboxLane.Commands, command, "main", [parameters, commandContext], SandboxLimits.Default, CancellationToken.None);
var recovered = crashClock.Elapsed.TotalMilliseconds;

async Task<double[]> Measure(Func<Task> call)
{
    for (var i = 0; i < 200; i++)
    {
        await call();
    }
    var samples = new double[calls];
    for (var i = 0; i < calls; i++)
    {
        var clock = Stopwatch.GetTimestamp();
        await call();
        samples[i] = Stopwatch.GetElapsedTime(clock).TotalMicroseconds;
    }
    Array.Sort(samples);
    return samples;
}

static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

var baseline = Percentile(rows[0].Samples, 0.5);
var md = new StringBuilder();
md.AppendLine("## Script sandbox: cost per call of running scripts in sandbox processes");
md.AppendLine();
md.AppendLine("Command: `dotnet run -c Release --project bench/Gatehouse.Bench.Sandbox -- 2000`");
md.AppendLine();
md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}. {calls} sequential calls per row after 200 warm-up calls; a small event (formatter) or two parameters (command).");
md.AppendLine();
md.AppendLine("| Per call | median µs | p99 µs | vs formatter in process |");
md.AppendLine("|---|---:|---:|---:|");
foreach (var (name, samples, notes) in rows)
{
    md.AppendLine(CultureInfo.InvariantCulture, $"| {name}{(notes.Length > 0 ? $" ({notes})" : "")} | {Percentile(samples, 0.5):0.0} | {Percentile(samples, 0.99):0.0} | {Percentile(samples, 0.5) / baseline:0.00}× |");
}
md.AppendLine();
md.AppendLine(CultureInfo.InvariantCulture, $"Starting a sandbox process and the first call: {firstCall:0} ms. A script that joins arrays nested 100,000 deep: {crashed:0} ms until its call fails (\"{crashError}\"), then {recovered:0} ms for the next call.");
BenchmarkReport.Write("sandbox", md.ToString());
Console.WriteLine(md);
