using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Gatehouse.Bench;
using Gatehouse.Bench.Http;

// HTTP benchmark: the same wrk load (64 connections) against a minimal ASP.NET Core endpoint that only
// parses the JSON body (the baseline), Gatehouse nodes (default node on SQLite with an API key, a JWT,
// TTP search over every SigmaHQ rule, on PostgreSQL; intake-only nodes; a trivial remote command) and
// two peers: Debian's `webhook` and Node-RED 4.1.8 (http in -> http response). For each Gatehouse node
// it also reads, from the server's own /metrics (else its database), how many events it processed in
// the same window and the backlog left at its end. Needs wrk and webhook (apt-get install wrk webhook),
// Node-RED (npm ci in bench/peers) and, for the PostgreSQL row, Debian's postgresql; a row whose
// prerequisite is missing is skipped with a note. Usage:
//   dotnet run -c Release --project bench/Gatehouse.Bench.Http [-- SECONDS]
// Aids: BENCH_ONLY=<part of a row name> runs only matching rows (docs/benchmarks.md is then left alone);
// BENCH_WARMUP=<seconds> changes the 10 s warm-up; BENCH_GATEHOUSE_ENV="Gatehouse__Intake__MaxCommitBatch=256;..." adds settings.
var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
var only = Environment.GetEnvironmentVariable("BENCH_ONLY");
var extraEnvironment = (Environment.GetEnvironmentVariable("BENCH_GATEHOUSE_ENV") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries)
    .Select(pair => pair.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1]);
const int Connections = 64;
var warmUp = TimeSpan.FromSeconds(int.Parse(Environment.GetEnvironmentVariable("BENCH_WARMUP") ?? "10", CultureInfo.InvariantCulture));
const int WrkThreads = 2;
const string AdminPassword = "bench-admin-password";
const string SigmaRules = "/work/shared/data/sigma/rules";
const string AttackBundle = "/work/shared/data/attack/enterprise-attack-18.1.json";
// A backlog "grows" when it rose by more than this share of the requests acknowledged in the window (the gauge is recounted every 0.5 s).
const double BacklogTolerance = 0.02;
var root = BenchmarkReport.RepositoryRoot();
var duration = TimeSpan.FromSeconds(seconds);
var body = $$$"""{"Timestamp":{{{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}}},"alert":{"name":"Impossible travel","severity":"High","user":"alice@example.com","ip":"203.0.113.7"}}""";
const string CommandBody = """{"Username":"admin","Site":"Security Operations","CommandParams":{"Text":"beacon from 203.0.113.7 to evil.example.com"}}""";

Build(Path.Combine(root, "src", "Gatehouse", "Gatehouse.csproj"));
Build(Path.Combine(root, "bench", "Gatehouse.Bench.Baseline", "Gatehouse.Bench.Baseline.csproj"));
var gatehouseDll = Path.Combine(root, "src", "Gatehouse", "bin", "Release", "net10.0", "gatehouse.dll");
var baselineDll = Path.Combine(root, "bench", "Gatehouse.Bench.Baseline", "bin", "Release", "net10.0", "Gatehouse.Bench.Baseline.dll");
var nodeRed = Path.Combine(root, "bench", "peers", "node_modules", "node-red", "red.js");

var rows = new List<Row>();

async Task Measure(string name, string note, Func<Task<Scenario>> start)
{
    if (only is not null && !name.Contains(only, StringComparison.OrdinalIgnoreCase))
    {
        return;
    }
    Console.WriteLine($"== {name}");
    try
    {
        await using var scenario = await start();
        await Wrk.RunAsync(scenario.Url, scenario.Body, scenario.Headers, Connections, warmUp, WrkThreads);
        var before = scenario.Probe is null ? null : await scenario.Probe.ReadAsync();
        var load = await Wrk.RunAsync(scenario.Url, scenario.Body, scenario.Headers, Connections, duration, WrkThreads);
        var after = scenario.Probe is null ? null : await scenario.Probe.ReadAsync();
        var rss = scenario.Server.PeakRssMiB();
        var processing = before is null || after is null ? null : ProcessingFigures.Between(before, after);
        Console.WriteLine($"   {load.RequestsPerSecond:F0} req/s, p50 {load.P50Ms:F2} ms, p99 {load.P99Ms:F2} ms, {load.NotOk} not 2xx of {load.Requests}, peak RSS {rss:F0} MiB" +
            (processing is null ? "" : $"; processed {processing.EventsPerSecond:F0} events/s, backlog {processing.Backlog} ({processing.BacklogGrowth:+0;-0;0}) [{processing.Source}]"));
        rows.Add(new Row(name, scenario.Detail is null ? note : $"{note}; {scenario.Detail}", load, rss, processing));
    }
    catch (SkipException ex)
    {
        Console.WriteLine($"   skipped: {ex.Message}");
        rows.Add(new Row(name, note, Problem: $"skipped: {ex.Message}"));
    }
    catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception or FileNotFoundException
                                   or HttpRequestException or DbException or OperationCanceledException)
    {
        Console.WriteLine($"   not measured: {ex.Message}");
        rows.Add(new Row(name, note, Problem: $"not measured: {ex.Message.ReplaceLineEndings(" ")}"));
    }
}

/// <summary>A fresh node (its own data directory, SQLite unless settings say otherwise) set up through its admin API.</summary>
async Task<Scenario> Gatehouse(Func<GatehouseSetup, Task<Target>> prepare, string requestBody, bool intakeOnly = false, bool probe = true,
    Dictionary<string, string>? settings = null, string? postgres = null)
{
    var dataDirectory = Directory.CreateTempSubdirectory("gatehouse-bench-").FullName;
    var environment = new Dictionary<string, string>
    {
        ["Gatehouse__DataDirectory"] = dataDirectory,
        ["Gatehouse__Admin__Password"] = AdminPassword,
        ["Gatehouse__Intake__Process"] = intakeOnly ? "false" : "true",
        ["Logging__LogLevel__Default"] = "Warning",
    };
    if (postgres is not null)
    {
        environment["Gatehouse__Database__Provider"] = "Postgres";
        environment["Gatehouse__Database__ConnectionString"] = postgres;
    }
    foreach (var (key, value) in (settings ?? []).Concat(extraEnvironment))
    {
        environment[key] = value;
    }
    var server = await Server.StartAsync("dotnet", [gatehouseDll], "/health/ready", port => [$"--urls=http://127.0.0.1:{port}"], environment: environment);
    try
    {
        var setup = new GatehouseSetup(server.BaseUrl, AdminPassword);
        await setup.LoginAsync();
        var target = await prepare(setup);
        return new Scenario(server, target.Path, target.Headers, requestBody)
        {
            Probe = !probe ? null : postgres is not null
                ? ProcessingProbe.Postgres(server.BaseUrl, postgres)
                : ProcessingProbe.Sqlite(server.BaseUrl, Path.Combine(dataDirectory, "gatehouse.db")),
            Owned = { new TempFolder(dataDirectory) },
        };
    }
    catch
    {
        await server.DisposeAsync();
        await new TempFolder(dataDirectory).DisposeAsync();
        throw;
    }
}

var json = new Dictionary<string, string> { ["Content-Type"] = "application/json" };
const string BaselineName = "Baseline: ASP.NET Core, parse the JSON body";
const string ApiKeyName = "Gatehouse: default node, API key";
const string JwtName = "Gatehouse: default node, JWT";
const string TtpName = "Gatehouse: default node, API key, TTP search on";
const string PostgresName = "Gatehouse: default node on PostgreSQL, API key";
const string IntakeOnlyName = "Gatehouse: intake-only node, API key";
const string IntakeOnlyJwtName = "Gatehouse: intake-only node, JWT";
await Measure(BaselineName, "Kestrel, minimal API, JsonDocument.ParseAsync, 202", async () =>
    new Scenario(await Server.StartAsync("dotnet", [baselineDll], "/ready", port => [$"--urls=http://127.0.0.1:{port}"]), "/ingest", json, body));
await Measure(ApiKeyName, "durable 202 (group commit), processing on, TTP search off", () => Gatehouse(setup => setup.ApiKeyIntakeAsync(), body));
await Measure(JwtName, "HS256 token signing the body, durable 202, processing on", () => Gatehouse(setup => setup.JwtIntakeAsync(body), body));
await Measure(TtpName, "as the API-key row, the key's runMitreTtpSearch on, ATT&CK 18.1", async () =>
{
    if (!Directory.Exists(SigmaRules) || !File.Exists(AttackBundle))
    {
        throw new SkipException($"needs the SigmaHQ rules at {SigmaRules} and the ATT&CK bundle at {AttackBundle}");
    }
    var scenario = await Gatehouse(setup => setup.ApiKeyIntakeAsync(runMitreTtpSearch: true), body, settings: new()
    {
        ["Gatehouse__Sigma__RulesPath"] = SigmaRules,
        ["Gatehouse__Attack__BundlePath"] = AttackBundle,
        ["Logging__LogLevel__Gatehouse.Features.Attack"] = "Information",
    });
    var loaded = scenario.Server.Output.Select(line => SigmaLoaded().Match(line)).FirstOrDefault(match => match.Success);
    scenario.Detail = loaded is null ? "Sigma rule count not logged" : $"{loaded.Groups[1].Value} Sigma rules compiled ({loaded.Groups[2].Value} skipped)";
    return scenario;
});
await Measure(PostgresName, "as the API-key row, on a local PostgreSQL cluster (fsync and synchronous_commit on)", async () =>
{
    if (PostgresCluster.UnavailableReason() is { } why)
    {
        throw new SkipException(why);
    }
    var cluster = await PostgresCluster.StartAsync();
    try
    {
        var scenario = await Gatehouse(setup => setup.ApiKeyIntakeAsync(), body, postgres: await cluster.CreateDatabaseAsync("gatehouse_bench"));
        scenario.Owned.Add(cluster);
        scenario.Detail = $"PostgreSQL {cluster.Version}";
        return scenario;
    }
    catch
    {
        await cluster.DisposeAsync();
        throw;
    }
});
await Measure(IntakeOnlyName, "durable 202; processing left to other nodes (Gatehouse:Intake:Process=false)",
    () => Gatehouse(setup => setup.ApiKeyIntakeAsync(), body, intakeOnly: true));
await Measure(IntakeOnlyJwtName, "as above, with a token", () => Gatehouse(setup => setup.JwtIntakeAsync(body), body, intakeOnly: true));
await Measure("Gatehouse: remote command", "ExtractArtifacts over an API key, run recorded", () => Gatehouse(setup => setup.RemoteCommandAsync(), CommandBody, probe: false));
await Measure("Peer: webhook 2.8 (Debian)", "runs /bin/true per request, its model", async () =>
{
    var server = await Server.StartAsync("webhook", ["-hooks", Path.Combine(root, "bench", "peers", "hooks.json"), "-ip", "127.0.0.1"], "/hooks/ingest",
        port => ["-port", port.ToString(CultureInfo.InvariantCulture)], readyOnAnyAnswer: true);
    return new Scenario(server, "/hooks/ingest", json, body);
});
await Measure("Peer: Node-RED 4.1.8 (npm)", "http in -> http response 202", async () =>
{
    if (!File.Exists(nodeRed))
    {
        throw new SkipException("Node-RED is not installed: run 'npm ci' in bench/peers");
    }
    var userDir = Directory.CreateTempSubdirectory("gatehouse-bench-node-red-").FullName;
    File.Copy(Path.Combine(root, "bench", "peers", "flows.json"), Path.Combine(userDir, "flows.json"));
    var server = await Server.StartAsync("node", [nodeRed, "--userDir", userDir, "flows.json"], "/ingest", port => ["--port", port.ToString(CultureInfo.InvariantCulture)],
        readyOnAnyAnswer: true);
    return new Scenario(server, "/ingest", json, body) { Owned = { new TempFolder(userDir) } };
});

Row? Find(string name) => rows.FirstOrDefault(r => r.Name == name && r.Load is not null);
var baseline = Find(BaselineName)?.Load;
string Times(double? value) => value is null || baseline is null ? "–" : Ratio(value.Value / baseline.RequestsPerSecond);
var report = new StringBuilder()
    .AppendLine("## HTTP: acknowledged and processed events against a parse-only baseline and peers")
    .AppendLine()
    .AppendLine($"Command: `dotnet run -c Release --project bench/Gatehouse.Bench.Http -- {seconds}` (needs `apt-get install wrk webhook postgresql` and `npm ci` in `bench/peers`; a row whose prerequisite is missing is skipped).")
    .AppendLine()
    .AppendLine($"Machine: {Environment.ProcessorCount} cores shared by the server and the load generator, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}. " +
        $"wrk, {WrkThreads} threads, {Connections} connections, {seconds} s per row after a {warmUp.TotalSeconds:0} s warm-up (the JIT tiers up meanwhile), one {Encoding.UTF8.GetByteCount(body)}-byte JSON alert per request. " +
        "Gatehouse runs its Release build, a fresh node per row, on SQLite (WAL, synchronous=FULL) unless the row says PostgreSQL. " +
        "*Acknowledged* is wrk's requests/s (a durable 202). *Processed* is events processed per second by the node over the same window and *backlog* the stored ingestions still Pending or Processing at its end, " +
        "with its change over the window: both read from the node itself just before and just after wrk's run, from `/metrics` where it exports them, else by counting the `Ingestions` table (the notes say which). " +
        "One event per request, so events and ingestions count alike.")
    .AppendLine()
    .AppendLine("| Server | acknowledged req/s | p50 ms | p99 ms | not 2xx | peak RSS MiB | processed events/s | backlog at end (Δ in window) | acknowledged vs baseline | processed vs baseline | notes |")
    .AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
foreach (var row in rows)
{
    if (row.Load is not { } load)
    {
        report.AppendLine($"| {row.Name} | – | – | – | – | – | – | – | – | – | {row.Problem} |");
        continue;
    }
    var processed = row.Processing?.EventsPerSecond is { } rate ? rate.ToString("F0", CultureInfo.InvariantCulture) : "–";
    var backlog = row.Processing?.Backlog is { } end ? $"{end} ({row.Processing.BacklogGrowth:+0;-0;0})" : "–";
    var note = row.Processing is null ? row.Note : $"{row.Note}; {row.Processing.Source}";
    report.AppendLine($"| {row.Name} | {load.RequestsPerSecond:F0} | {load.P50Ms:F2} | {load.P99Ms:F2} | {load.NotOk} | {row.RssMiB:F0} | {processed} | {backlog} | " +
        $"{Times(load.RequestsPerSecond)} | {Times(row.Processing?.EventsPerSecond)} | {note} |");
}
report.AppendLine()
    .AppendLine($"Targets (a backlog grows when it rose by more than {BacklogTolerance:P0} of the requests acknowledged in the window; \"missed by N %\" is how far the figure falls short of its threshold):");
if (baseline is null)
{
    report.AppendLine("- not computed: the baseline was not measured");
}
else
{
    report.AppendLine($"- default node processes ≥ 0.3× the baseline's req/s, backlog not growing: {ProcessingTarget(Find(ApiKeyName), 0.3)}")
        .AppendLine($"- TTP search on (all SigmaHQ rules) processes ≥ 0.15×, backlog not growing: {ProcessingTarget(Find(TtpName), 0.15)}")
        .AppendLine($"- intake-only node acknowledges ≥ 0.6× with p99 ≤ 20 ms: {IntakeOnlyTarget(Find(IntakeOnlyName))}; with a JWT {IntakeOnlyTarget(Find(IntakeOnlyJwtName))}")
        .AppendLine($"- JWT within 10 % of API key: default node (processed events/s) {JwtTarget(Find(JwtName)?.Processing?.EventsPerSecond, Find(ApiKeyName)?.Processing?.EventsPerSecond)}; " +
            $"intake-only node (acknowledged req/s) {JwtTarget(Find(IntakeOnlyJwtName)?.Load?.RequestsPerSecond, Find(IntakeOnlyName)?.Load?.RequestsPerSecond)}");
}
Console.WriteLine(report);
if (only is null)
{
    BenchmarkReport.Write("http", report.ToString());
}

string ProcessingTarget(Row? row, double share)
{
    if (row?.Processing is not { EventsPerSecond: { } rate } processing || row.Load is null)
    {
        return "not measured";
    }
    var misses = new List<string>();
    if (Shortfall(rate, share * baseline!.RequestsPerSecond) is { } shortBy)
    {
        misses.Add($"missed by {shortBy:F0} %");
    }
    var acknowledged = row.Load.Requests - row.Load.NotOk;
    if (processing.BacklogGrowth is { } growth && growth > BacklogTolerance * acknowledged)
    {
        misses.Add($"backlog grew by {growth}");
    }
    var backlog = processing.BacklogGrowth is { } g ? $", backlog {g:+0;-0;0}" : ", backlog not read";
    return $"{Ratio(rate / baseline.RequestsPerSecond)} ({rate:F0} events/s){backlog} — {(misses.Count == 0 ? "met" : string.Join(", ", misses))}";
}

string IntakeOnlyTarget(Row? row)
{
    if (row?.Load is not { } load)
    {
        return "not measured";
    }
    var misses = new List<string>();
    if (Shortfall(load.RequestsPerSecond, 0.6 * baseline!.RequestsPerSecond) is { } shortBy)
    {
        misses.Add($"missed by {shortBy:F0} %");
    }
    if (load.P99Ms > 20)
    {
        misses.Add($"p99 missed by {(load.P99Ms / 20 - 1) * 100:F0} %");
    }
    return $"{Ratio(load.RequestsPerSecond / baseline.RequestsPerSecond)}, p99 {load.P99Ms:F1} ms — {(misses.Count == 0 ? "met" : string.Join(", ", misses))}";
}

static string JwtTarget(double? jwt, double? apiKey)
{
    if (jwt is null || apiKey is null || apiKey <= 0)
    {
        return "not measured";
    }
    var verdict = Shortfall(jwt.Value, 0.9 * apiKey.Value) is { } shortBy ? $"missed by {shortBy:F0} %" : "met";
    return $"{(jwt / apiKey - 1) * 100:+0.0;-0.0} % — {verdict}";
}

// Two decimals, three below 0.1× so a small figure does not read as zero.
static string Ratio(double ratio) => ratio.ToString(ratio < 0.095 ? "F3" : "F2", CultureInfo.InvariantCulture) + "×";

// How far (in % of the threshold) a figure falls short of it, or null when it reaches it.
static double? Shortfall(double actual, double threshold) => actual >= threshold ? null : (1 - actual / threshold) * 100;

static void Build(string project)
{
    using var process = Process.Start(new ProcessStartInfo("dotnet", ["build", "-c", "Release", "--nologo", "-v", "q", project]) { RedirectStandardOutput = true })!;
    process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"dotnet build {project} failed");
    }
}

internal static partial class Program
{
    [GeneratedRegex(@"Loaded Sigma rules: (\d+) compiled, (\d+) skipped")]
    private static partial Regex SigmaLoaded();
}
