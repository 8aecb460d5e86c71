using System.Diagnostics;
using System.Globalization;
using System.Text;
using Gatehouse.Bench;
using Gatehouse.Bench.Http;

// HTTP benchmark: the same wrk load (64 connections) against a minimal ASP.NET Core endpoint that only
// parses the JSON body (the baseline), Gatehouse's API-key intake, JWT intake and a trivial remote
// command (each durable: SQLite, WAL, synchronous=FULL), and two peers: Debian's `webhook` and
// Node-RED 4.1.8 (http in -> http response). Needs wrk and webhook (apt-get install wrk webhook) and
// Node-RED (npm ci in bench/peers). Usage:
//   dotnet run -c Release --project bench/Gatehouse.Bench.Http [-- SECONDS]
// Profiling aids: BENCH_ONLY=<part of a row name> runs only matching rows; BENCH_GATEHOUSE_ENV="Gatehouse__Intake__Process=false;..." adds settings.
var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
var only = Environment.GetEnvironmentVariable("BENCH_ONLY");
var extraEnvironment = (Environment.GetEnvironmentVariable("BENCH_GATEHOUSE_ENV") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries)
    .Select(pair => pair.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1]);
const int Connections = 64;
var WarmUp = TimeSpan.FromSeconds(10);
const int WrkThreads = 2;
const string AdminPassword = "bench-admin-password";
var root = BenchmarkReport.RepositoryRoot();
var duration = TimeSpan.FromSeconds(seconds);
var body = $$$"""{"Timestamp":{{{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}}},"alert":{"name":"Impossible travel","severity":"High","user":"alice@example.com","ip":"203.0.113.7"}}""";
const string CommandBody = """{"Username":"admin","Site":"Security Operations","CommandParams":{"Text":"beacon from 203.0.113.7 to evil.example.com"}}""";

Build(Path.Combine(root, "src", "Gatehouse", "Gatehouse.csproj"));
Build(Path.Combine(root, "bench", "Gatehouse.Bench.Baseline", "Gatehouse.Bench.Baseline.csproj"));
var gatehouseDll = Path.Combine(root, "src", "Gatehouse", "bin", "Release", "net10.0", "gatehouse.dll");
var baselineDll = Path.Combine(root, "bench", "Gatehouse.Bench.Baseline", "bin", "Release", "net10.0", "Gatehouse.Bench.Baseline.dll");
var nodeRed = Path.Combine(root, "bench", "peers", "node_modules", "node-red", "red.js");

var rows = new List<(string Name, string Note, LoadResult? Load, double RssMiB, string? Problem)>();

async Task Measure(string name, string note, Func<Task<(Server Server, string Path, Dictionary<string, string> Headers, string Body)>> start)
{
    if (only is not null && !name.Contains(only, StringComparison.OrdinalIgnoreCase))
    {
        return;
    }
    Console.WriteLine($"== {name}");
    try
    {
        var (server, path, headers, requestBody) = await start();
        await using (server)
        {
            await Wrk.RunAsync(server.BaseUrl + path, requestBody, headers, Connections, WarmUp, WrkThreads);
            var load = await Wrk.RunAsync(server.BaseUrl + path, requestBody, headers, Connections, duration, WrkThreads);
            var rss = server.PeakRssMiB();
            Console.WriteLine($"   {load.RequestsPerSecond:F0} req/s, p50 {load.P50Ms:F2} ms, p99 {load.P99Ms:F2} ms, {load.NotOk} not 2xx of {load.Requests}, peak RSS {rss:F0} MiB");
            rows.Add((name, note, load, rss, null));
        }
    }
    catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception or FileNotFoundException)
    {
        Console.WriteLine($"   not measured: {ex.Message}");
        rows.Add((name, note, null, double.NaN, ex.Message));
    }
}

Task<Server> StartGatehouse(bool intakeOnly) => Server.StartAsync("dotnet", [gatehouseDll], "/health/ready", port => [$"--urls=http://127.0.0.1:{port}"],
    environment: new Dictionary<string, string>
    {
        ["Gatehouse__DataDirectory"] = Directory.CreateTempSubdirectory("gatehouse-bench-").FullName,
        ["Gatehouse__Admin__Password"] = AdminPassword,
        ["Gatehouse__Intake__Process"] = intakeOnly ? "false" : "true",
        ["Logging__LogLevel__Default"] = "Warning",
    }.Concat(extraEnvironment).ToDictionary());

async Task<(Server, string, Dictionary<string, string>, string)> Gatehouse(Func<GatehouseSetup, Task<Target>> prepare, string requestBody, bool intakeOnly = false)
{
    var server = await StartGatehouse(intakeOnly);
    var setup = new GatehouseSetup(server.BaseUrl, AdminPassword);
    await setup.LoginAsync();
    var target = await prepare(setup);
    return (server, target.Path, target.Headers, requestBody);
}

var json = new Dictionary<string, string> { ["Content-Type"] = "application/json" };
await Measure("Baseline: ASP.NET Core, parse the JSON body", "Kestrel, minimal API, JsonDocument.ParseAsync, 202", async () =>
    (await Server.StartAsync("dotnet", [baselineDll], "/ready", port => [$"--urls=http://127.0.0.1:{port}"]), "/ingest", json, body));
await Measure("Gatehouse: API-key intake", "durable 202 (group commit), processing in the background", () => Gatehouse(setup => setup.ApiKeyIntakeAsync(), body));
await Measure("Gatehouse: JWT intake", "HS256 token signing the body, durable 202", () => Gatehouse(setup => setup.JwtIntakeAsync(body), body));
await Measure("Gatehouse: API-key intake, intake-only node", "durable 202; processing left to other nodes (Gatehouse:Intake:Process=false)",
    () => Gatehouse(setup => setup.ApiKeyIntakeAsync(), body, intakeOnly: true));
await Measure("Gatehouse: JWT intake, intake-only node", "as above, with a token", () => Gatehouse(setup => setup.JwtIntakeAsync(body), body, intakeOnly: true));
await Measure("Gatehouse: remote command", "ExtractArtifacts over an API key, run recorded", () => Gatehouse(setup => setup.RemoteCommandAsync(), CommandBody));
await Measure("Peer: webhook 2.8 (Debian)", "runs /bin/true per request, its model", async () =>
    (await Server.StartAsync("webhook", ["-hooks", Path.Combine(root, "bench", "peers", "hooks.json"), "-ip", "127.0.0.1"], "/hooks/ingest",
        port => ["-port", port.ToString(CultureInfo.InvariantCulture)], readyOnAnyAnswer: true), "/hooks/ingest", json, body));
await Measure("Peer: Node-RED 4.1.8 (npm)", "http in -> http response 202", async () =>
{
    if (!File.Exists(nodeRed))
    {
        throw new FileNotFoundException("Node-RED is not installed: run 'npm ci' in bench/peers");
    }
    var userDir = Directory.CreateTempSubdirectory("gatehouse-bench-node-red-").FullName;
    File.Copy(Path.Combine(root, "bench", "peers", "flows.json"), Path.Combine(userDir, "flows.json"));
    var server = await Server.StartAsync("node", [nodeRed, "--userDir", userDir, "flows.json"], "/ingest", port => ["--port", port.ToString(CultureInfo.InvariantCulture)],
        readyOnAnyAnswer: true);
    return (server, "/ingest", json, body);
});

if (only is not null)
{
    return;
}
var baseline = rows[0].Load;
var apiKey = rows.FirstOrDefault(r => r.Name == "Gatehouse: API-key intake").Load;
var jwt = rows.FirstOrDefault(r => r.Name == "Gatehouse: JWT intake").Load;
var apiKeyOnly = rows.FirstOrDefault(r => r.Name.StartsWith("Gatehouse: API-key intake, intake-only", StringComparison.Ordinal)).Load;
var jwtOnly = rows.FirstOrDefault(r => r.Name.StartsWith("Gatehouse: JWT intake, intake-only", StringComparison.Ordinal)).Load;
string Ratio(LoadResult? load) => load is null || baseline is null ? "–" : $"{load.RequestsPerSecond / baseline.RequestsPerSecond:F2}×";
var report = new StringBuilder()
    .AppendLine("## HTTP: durable intake against a parse-only baseline and peers")
    .AppendLine()
    .AppendLine($"Command: `dotnet run -c Release --project bench/Gatehouse.Bench.Http -- {seconds}` (needs `apt-get install wrk webhook` and `npm ci` in `bench/peers`).")
    .AppendLine()
    .AppendLine($"Machine: {Environment.ProcessorCount} cores shared by the server and the load generator, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}. " +
        $"wrk, {WrkThreads} threads, {Connections} connections, {seconds} s per row after a {WarmUp.TotalSeconds:0} s warm-up (the JIT tiers up meanwhile), one {Encoding.UTF8.GetByteCount(body)}-byte JSON alert per request. " +
        "Gatehouse runs its Release build on SQLite (WAL, synchronous=FULL), a fresh data directory per row, the ingestion worker processing in the background.")
    .AppendLine()
    .AppendLine("| Server | req/s | p50 ms | p99 ms | not 2xx | peak RSS MiB | vs baseline | notes |")
    .AppendLine("|---|---:|---:|---:|---:|---:|---:|---|");
foreach (var (name, note, load, rss, problem) in rows)
{
    report.AppendLine(load is null
        ? $"| {name} | – | – | – | – | – | – | not measured: {problem} |"
        : $"| {name} | {load.RequestsPerSecond:F0} | {load.P50Ms:F2} | {load.P99Ms:F2} | {load.NotOk} | {rss:F0} | {Ratio(load)} | {note} |");
}
report.AppendLine();
string Verdict(bool met) => met ? "met" : "missed";
if (baseline is not null && apiKey is not null && jwt is not null && apiKeyOnly is not null && jwtOnly is not null)
{
    var gatehouseRows = rows.Where(r => r.Name.StartsWith("Gatehouse", StringComparison.Ordinal) && r.Load is not null).ToList();
    report.AppendLine("Targets:")
        .AppendLine($"- durable API-key intake ≥ 0.5× the baseline: {apiKey.RequestsPerSecond / baseline.RequestsPerSecond:F2}× on a node that also processes — {Verdict(apiKey.RequestsPerSecond >= 0.5 * baseline.RequestsPerSecond)}; " +
            $"{apiKeyOnly.RequestsPerSecond / baseline.RequestsPerSecond:F2}× on an intake-only node — {Verdict(apiKeyOnly.RequestsPerSecond >= 0.5 * baseline.RequestsPerSecond)}")
        .AppendLine($"- JWT intake within 10 % of API-key intake: {(jwt.RequestsPerSecond / apiKey.RequestsPerSecond - 1) * 100:+0.0;-0.0} % — {Verdict(jwt.RequestsPerSecond >= 0.9 * apiKey.RequestsPerSecond)}; " +
            $"intake-only {(jwtOnly.RequestsPerSecond / apiKeyOnly.RequestsPerSecond - 1) * 100:+0.0;-0.0} % — {Verdict(jwtOnly.RequestsPerSecond >= 0.9 * apiKeyOnly.RequestsPerSecond)}")
        .AppendLine($"- p99 ≤ 20 ms at {Connections} connections: {string.Join(", ", gatehouseRows.Select(r => $"{r.Load!.P99Ms:F1} ms"))} — {(gatehouseRows.All(r => r.Load!.P99Ms <= 20) ? "met" : "missed")}")
        .AppendLine($"- peak RSS ≤ 300 MB: {string.Join(", ", gatehouseRows.Select(r => $"{r.RssMiB * 1.048576:F0} MB"))} — {(gatehouseRows.All(r => r.RssMiB * 1.048576 <= 300) ? "met" : "missed")}");
}
Console.WriteLine(report);
BenchmarkReport.Write("http", report.ToString());

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
