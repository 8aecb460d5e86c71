using System.Collections.Concurrent;
using System.Diagnostics;

namespace Gatehouse.Tests.Infrastructure;

/// <summary>A real <c>gatehouse</c> process (the built executable), started, killed and restarted by a test.</summary>
public sealed class GatehouseProcess : IAsyncDisposable
{
    private readonly GatehouseStore _store;
    private readonly Dictionary<string, string?> _settings;
    private readonly string? _workingDirectory;
    private readonly bool _quiet;
    private Process? _process;

    /// <param name="settings">Configuration on the command line; a null value leaves that key out.</param>
    /// <param name="workingDirectory">Where it is started from (default: the data directory).</param>
    /// <param name="quiet">Warnings and errors only; false keeps the log levels the executable has by itself.</param>
    public GatehouseProcess(GatehouseStore store, Dictionary<string, string?>? settings = null, string? workingDirectory = null, bool quiet = true)
    {
        _store = store;
        _settings = settings ?? [];
        _workingDirectory = workingDirectory;
        _quiet = quiet;
        Port = PostgresCluster.FreePort();
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    public HttpClient Client { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Every line the process wrote to standard output and standard error, since it was first started.</summary>
    public ConcurrentQueue<string> Output { get; } = new();

    /// <summary>Starts the process and waits until it reports ready.</summary>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _workingDirectory ?? _store.DataDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gatehouse.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{Port}");
        var settings = new Dictionary<string, string?>(_store.Settings())
        {
            ["Gatehouse:Admin:Password"] = GatehouseFactory.AdminPassword,
        };
        if (_quiet)
        {
            settings["Logging:LogLevel:Default"] = "Warning";
        }
        foreach (var (key, value) in _settings)
        {
            settings[key] = value;
        }
        foreach (var (key, value) in settings.Where(s => s.Value is not null))
        {
            start.ArgumentList.Add($"--{key}={value}");
        }
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, line) => Keep(line.Data);
        _process.ErrorDataReceived += (_, line) => Keep(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(); // the last lines of output
                throw new InvalidOperationException($"gatehouse exited with {_process.ExitCode} while starting:\n{string.Join("\n", Output)}");
            }
            try
            {
                if ((await Client.GetAsync("/health/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("gatehouse was not ready within 60 s");
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            Output.Enqueue(line);
        }
    }

    /// <summary>SIGKILL: no shutdown, no flushing, as a crash or an OOM kill would leave it.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public async Task<GatehouseClient> AdminAsync()
    {
        var http = new HttpClient { BaseAddress = Client.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        return await GatehouseClient.LoginAsync(http, "admin", GatehouseFactory.AdminPassword);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        Client.Dispose();
    }
}
