using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Gatehouse.Core.Scripting;
using Microsoft.Extensions.Options;

namespace Gatehouse.Infrastructure.Sandbox;

/// <summary>
/// Runs scripts in a small pool of sandbox processes: a call waits for a free process, a process
/// that crashed, overran or asked to be recycled is replaced, and the server never runs a script
/// itself. Formatters, custom commands and script checks at save time all go through here.
/// </summary>
public sealed partial class SandboxPool(IOptions<GatehouseOptions> options, ILogger<SandboxPool> logger) : IAsyncDisposable
{
    public const string MeterName = "Gatehouse.Sandbox";
    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Crashes = Meter.CreateCounter<long>("gatehouse.sandbox.processes_ended", description: "Sandbox processes ended by a crash, an overrun or a recycle");

    private readonly Channel<SandboxProcess> _idle = Channel.CreateUnbounded<SandboxProcess>();
    private readonly SemaphoreSlim _slots = new(options.Value.Sandbox.Processes, options.Value.Sandbox.Processes);
    private bool _disposed;

    /// <summary>Calls <paramref name="function"/> with JSON arguments; its result (undefined as null), or a <see cref="ScriptFailedException"/>.</summary>
    public async Task<JsonNode?> CallAsync(SandboxScript script, string function, IReadOnlyList<JsonNode?> arguments, SandboxLimits limits, CancellationToken cancellationToken)
    {
        var wire = new JsonArray(arguments.Select(a => a?.DeepClone()).ToArray());
        var reply = await RunAsync(script, function, wire, limits, cancellationToken);
        return reply.Result;
    }

    /// <summary>Whether the script parses and, run within its limits, defines <paramref name="function"/>; a <see cref="ScriptFailedException"/> says why not.</summary>
    public async Task<bool> DefinesAsync(SandboxScript script, string function, SandboxLimits limits, CancellationToken cancellationToken) =>
        (await RunAsync(script, function, null, limits, cancellationToken)).Defined;

    private async Task<SandboxReply> RunAsync(SandboxScript script, string function, JsonArray? arguments, SandboxLimits limits, CancellationToken cancellationToken)
    {
        if (script.Source.Length > limits.MaxScriptLength)
        {
            throw new ScriptFailedException($"The script is {script.Source.Length} characters; the limit is {limits.MaxScriptLength}.");
        }
        await _slots.WaitAsync(cancellationToken);
        SandboxProcess? process = null;
        try
        {
            process = _idle.Reader.TryRead(out var idle) ? idle : await SandboxProcess.StartAsync(options.Value.Sandbox, cancellationToken);
            var reply = await process.CallAsync(script, function, arguments, limits, cancellationToken);
            return reply.Ok ? reply : throw new ScriptFailedException(reply.Error ?? "The script failed.");
        }
        finally
        {
            await ReturnAsync(process);
            _slots.Release();
        }
    }

    private async Task ReturnAsync(SandboxProcess? process)
    {
        if (process is null)
        {
            return;
        }
        if (process.Healthy && process.Calls < options.Value.Sandbox.MaxCallsPerProcess && !_disposed)
        {
            _idle.Writer.TryWrite(process);
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
        while (_idle.Reader.TryRead(out var process))
        {
            await process.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox process {ProcessId} was ended (a script crashed it, overran its time limit or exhausted its memory); the next call starts a new one")]
    private static partial void LogProcessEnded(ILogger logger, int processId);
}
