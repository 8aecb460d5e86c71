using System.Diagnostics;
using System.Runtime.InteropServices;
using Gatehouse.Core.Scripting;

namespace Gatehouse.Infrastructure.Sandbox;

/// <summary>A call whose sandbox process ended under it: a stack overflow, a crash or a kill. The server is unharmed.</summary>
public sealed class ScriptCrashedException(string message) : ScriptFailedException(message);

/// <summary>
/// One sandbox process (<c>gatehouse sandbox-worker</c>): calls go one at a time over its standard
/// input and output. It is killed when a call overruns its time limit, and never reused after a
/// crash, a kill or a recycle request.
/// </summary>
public sealed class SandboxProcess : IAsyncDisposable
{
    /// <summary>Beyond the script's own limit: the engine stops it itself first; this is the backstop.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);

    private readonly Process _process;
    private readonly Queue<string> _stderr = new();
    private readonly HashSet<string> _scripts = new(StringComparer.Ordinal);

    private SandboxProcess(Process process)
    {
        _process = process;
        process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                // The first line says what ended the process ("Stack overflow."); the frames after it are noise.
                // An unhandled exception's message could quote a call's data (a secret parameter), so only its type is kept.
                if (e.Data is { Length: > 0 } line && _stderr.Count == 0)
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    var cause = line.StartsWith("Unhandled exception.", StringComparison.Ordinal) && colon > 0 ? line[..colon] : line;
                    _stderr.Enqueue(cause.Length > 200 ? cause[..200] : cause);
                }
            }
        };
        process.BeginErrorReadLine();
    }

    public bool Healthy { get; private set; } = true;

    public int Calls { get; private set; }

    public int ProcessId => _process.Id;

    public static async Task<SandboxProcess> StartAsync(SandboxOptions options, CancellationToken cancellationToken)
    {
        var (file, arguments) = WorkerCommand();
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // The worker inherits nothing it does not need: no configuration, no connection strings, no secrets.
        start.Environment.Clear();
        foreach (var name in new[] { "PATH", "HOME", "DOTNET_ROOT", "TMPDIR", "LANG" })
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                start.Environment[name] = value;
            }
        }
        start.Environment["DOTNET_GCHeapHardLimit"] = $"0x{(long)options.MemoryLimitMegabytes * 1024 * 1024:X}";
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_EnableDiagnostics"] = "0";
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException("The sandbox process did not start.");
        var sandbox = new SandboxProcess(process);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.StartTimeoutSeconds));
        try
        {
            var ready = await SandboxFrames.ReadAsync<SandboxReply>(process.StandardOutput.BaseStream, 1024, timeout.Token);
            if (ready is not { Ok: true })
            {
                throw new InvalidOperationException($"The sandbox process exited at start: {sandbox.LastWords()}");
            }
        }
        catch
        {
            await sandbox.DisposeAsync();
            throw;
        }
        return sandbox;
    }

    /// <summary>Runs one request; fails the call (and retires this process) on overrun or death.</summary>
    public async Task<SandboxReply> CallAsync(SandboxScript script, string function, System.Text.Json.Nodes.JsonArray? arguments, SandboxLimits limits, CancellationToken cancellationToken)
    {
        Calls++;
        var wire = SandboxLimitsWire.From(limits);
        var request = new SandboxRequest(script.Id, _scripts.Contains(script.Id) ? null : script.Source, function, arguments, wire);
        var reply = await ExchangeAsync(request, limits, cancellationToken);
        if (reply.UnknownScript)
        {
            reply = await ExchangeAsync(request with { Source = script.Source }, limits, cancellationToken);
        }
        _scripts.Add(script.Id);
        if (reply.Recycle)
        {
            Healthy = false;
        }
        return reply;
    }

    private async Task<SandboxReply> ExchangeAsync(SandboxRequest request, SandboxLimits limits, CancellationToken cancellationToken)
    {
        var exchange = RoundTripAsync(request, limits);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var deadline = Task.Delay(limits.Timeout + Grace, timer.Token);
        var first = await Task.WhenAny(exchange, deadline);
        // The deadline's timer is released as soon as the answer is in, not left to run out.
        await timer.CancelAsync();
        if (first == deadline)
        {
            Kill();
            _ = exchange.ContinueWith(t => t.Exception, TaskScheduler.Default);
            cancellationToken.ThrowIfCancellationRequested();
            throw new ScriptFailedException($"The script ran longer than {limits.Timeout.TotalSeconds:0.#} s and was stopped (its sandbox process was ended).");
        }
        try
        {
            return await exchange ?? throw await DiedAsync();
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or System.Text.Json.JsonException)
        {
            Kill();
            throw ex is IOException ? await DiedAsync() : new ScriptFailedException("The script's result could not be read back from its sandbox process.");
        }
    }

    private async Task<SandboxReply?> RoundTripAsync(SandboxRequest request, SandboxLimits limits)
    {
        await SandboxFrames.WriteAsync(_process.StandardInput.BaseStream, request);
        // The reply carries the result and some framing; the worker refuses results over MaxOutputBytes characters of JSON itself,
        // and a frame writes each of those in at most 6 bytes (\uXXXX, for an emoji's half or an unassigned character).
        return await SandboxFrames.ReadAsync<SandboxReply>(_process.StandardOutput.BaseStream, limits.MaxOutputBytes * 6 + 64 * 1024);
    }

    private async Task<ScriptCrashedException> DiedAsync()
    {
        Healthy = false;
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                // Still exiting: the exit code is reported as unknown.
            }
        }
        var code = _process.HasExited ? _process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unknown";
        var cause = LastWords();
        return new ScriptCrashedException(
            $"The script ended its sandbox process (exit code {code}{(cause.Length > 0 ? $": {cause}" : "")}); for example by nesting or recursing too deep. The server was not affected.");
    }

    private string LastWords()
    {
        lock (_stderr)
        {
            return string.Join(" ", _stderr).Trim();
        }
    }

    private void Kill()
    {
        Healthy = false;
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It has already exited.
        }
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The pipe is already broken.
            }
            if (!_process.WaitForExit(500))
            {
                Kill();
            }
        }
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// How to start a worker: the <c>gatehouse</c> executable itself when the server runs as it,
    /// else the .NET host with gatehouse.dll (dotnet run, the test host).
    /// </summary>
    private static (string File, string[] Arguments) WorkerCommand()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileName(self) is "gatehouse" or "gatehouse.exe")
        {
            return (self, [SandboxVerb]);
        }
        var assembly = typeof(SandboxProcess).Assembly.Location;
        return (DotnetHost(self), [assembly, SandboxVerb]);
    }

    public const string SandboxVerb = "sandbox-worker";

    private static string DotnetHost(string? self)
    {
        var exe = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "dotnet.exe" : "dotnet";
        if (self is not null && Path.GetFileName(self).Equals(exe, StringComparison.OrdinalIgnoreCase))
        {
            return self;
        }
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var candidate = Path.Combine(root, exe);
        return File.Exists(candidate) ? candidate : exe;
    }
}
