using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Gatehouse.Core.Scripting;
using Microsoft.Extensions.Options;

namespace Gatehouse.Infrastructure.Sandbox;

/// <summary>
/// Which processes a call may use: slow custom commands never hold up formatters or the checks made when a script is saved,
/// and an administrator's "run with these parameters" never holds up either.
/// </summary>
public enum SandboxLane { Commands, Formatters, Checks, Tries }

/// <summary>No process of the lane became free within the wait the caller allowed.</summary>
public sealed class SandboxBusyException() : Exception("Every sandbox process of this lane is busy.");

/// <summary>
/// Runs scripts in small pools of sandbox processes, one pool per <see cref="SandboxLane"/>: a call
/// waits for a free process of its lane, a process that crashed, overran or asked to be recycled is
/// replaced, and the server never runs a script itself.
/// </summary>
public sealed partial class SandboxPool(IOptions<GatehouseOptions> options, ILogger<SandboxPool> logger) : IAsyncDisposable
{
    public const string MeterName = "Gatehouse.Sandbox";
    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Crashes = Meter.CreateCounter<long>("gatehouse.sandbox.processes_ended", description: "Sandbox processes ended by a crash, an overrun or a recycle");

    private sealed class Lane(int processes)
    {
        public Channel<SandboxProcess> Idle { get; } = Channel.CreateUnbounded<SandboxProcess>();
        public SemaphoreSlim Slots { get; } = new(processes, processes);
    }

    private readonly Lane[] _lanes =
    [
        new(options.Value.Sandbox.Processes), new(options.Value.Sandbox.FormatterProcesses), new(options.Value.Sandbox.CheckProcesses),
        new(options.Value.Sandbox.TryProcesses),
    ];

    /// <summary>A script's top level and the definition of its function are checked within this, whatever the command's own limit.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    private bool _disposed;

    /// <summary>
    /// Calls <paramref name="function"/> with JSON arguments; its result (undefined as null), or a <see cref="ScriptFailedException"/>.
    /// With <paramref name="maxWait"/>, a <see cref="SandboxBusyException"/> when no process of the lane is free by then;
    /// <paramref name="running"/> is told when the script starts (after the wait and the process start).
    /// </summary>
    public async Task<JsonNode?> CallAsync(SandboxLane lane, SandboxScript script, string function, IReadOnlyList<JsonNode?> arguments, SandboxLimits limits,
        CancellationToken cancellationToken, TimeSpan? maxWait = null, Action? running = null)
    {
        var wire = new JsonArray(arguments.Select(a => a?.DeepClone()).ToArray());
        var reply = await RunAsync(_lanes[(int)lane], script, function, wire, limits, cancellationToken, maxWait, running);
        return reply.Result;
    }

    /// <summary>Whether the script parses and, run within its limits, defines <paramref name="function"/>; a <see cref="ScriptFailedException"/> says why not.</summary>
    public async Task<bool> DefinesAsync(SandboxScript script, string function, SandboxLimits limits, CancellationToken cancellationToken,
        SandboxLane lane = SandboxLane.Checks, TimeSpan? maxWait = null) =>
        (await RunAsync(_lanes[(int)lane], script, function, null, limits.Timeout > CheckTimeout ? limits with { Timeout = CheckTimeout } : limits, cancellationToken, maxWait)).Defined;

    private async Task<SandboxReply> RunAsync(Lane lane, SandboxScript script, string function, JsonArray? arguments, SandboxLimits limits,
        CancellationToken cancellationToken, TimeSpan? maxWait = null, Action? running = null)
    {
        if (script.Source.Length > limits.MaxScriptLength)
        {
            throw new ScriptFailedException($"The script is {script.Source.Length} characters; the limit is {limits.MaxScriptLength}.");
        }
        if (!await lane.Slots.WaitAsync(maxWait ?? Timeout.InfiniteTimeSpan, cancellationToken))
        {
            throw new SandboxBusyException();
        }
        SandboxProcess? process = null;
        try
        {
            process = lane.Idle.Reader.TryRead(out var idle) ? idle : await SandboxProcess.StartAsync(options.Value.Sandbox, cancellationToken);
            running?.Invoke();
            var reply = await process.CallAsync(script, function, arguments, limits, cancellationToken);
            return reply.Ok ? reply : throw new ScriptFailedException(reply.Error ?? "The script failed.");
        }
        finally
        {
            await ReturnAsync(lane, process);
            lane.Slots.Release();
        }
    }

    private async Task ReturnAsync(Lane lane, SandboxProcess? process)
    {
        if (process is null)
        {
            return;
        }
        if (process.Healthy && process.Calls < options.Value.Sandbox.MaxCallsPerProcess && !_disposed)
        {
            lane.Idle.Writer.TryWrite(process);
            return;
        }
        if (!process.Healthy)
        {
            Crashes.Add(1);
            LogProcessEnded(logger, process.ProcessId);
        }
        await process.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        foreach (var lane in _lanes)
        {
            while (lane.Idle.Reader.TryRead(out var process))
            {
                await process.DisposeAsync();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox process {ProcessId} was ended (a script crashed it, overran its time limit or exhausted its memory); the next call starts a new one")]
    private static partial void LogProcessEnded(ILogger logger, int processId);
}
