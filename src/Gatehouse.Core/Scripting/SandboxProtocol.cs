using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gatehouse.Core.Scripting;

/// <summary>A script's source and a stable id for it, so a sandbox process parses each script once.</summary>
public sealed record SandboxScript(string Source)
{
    public string Id { get; } = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Source)));
}

/// <summary>
/// One request to a sandbox process: run the script's top level and call <see cref="Function"/>
/// (<see cref="Arguments"/> null: only tell whether it is defined). <see cref="Source"/> is sent
/// the first time a process sees <see cref="ScriptId"/>.
/// </summary>
public sealed record SandboxRequest(string ScriptId, string? Source, string Function, JsonArray? Arguments, SandboxLimitsWire Limits);

/// <summary>The answer: the result (or whether the function is defined), or why the call failed; <see cref="UnknownScript"/> asks for the source.</summary>
public sealed record SandboxReply(bool Ok, JsonNode? Result = null, bool Defined = false, string? Error = null, bool UnknownScript = false, bool Recycle = false);

/// <summary>The limits as they travel (milliseconds for spans).</summary>
public sealed record SandboxLimitsWire(int TimeoutMilliseconds, int MaxStatements, long MaxMemoryBytes, int MaxRecursion, int RegexTimeoutMilliseconds, int MaxArrayLength, int MaxScriptLength, int MaxOutputBytes)
{
    public static SandboxLimitsWire From(SandboxLimits limits) => new(
        (int)limits.Timeout.TotalMilliseconds, limits.MaxStatements, limits.MaxMemoryBytes, limits.MaxRecursion,
        (int)limits.RegexTimeout.TotalMilliseconds, limits.MaxArrayLength, limits.MaxScriptLength, limits.MaxOutputBytes);

    public SandboxLimits ToLimits() => new()
    {
        Timeout = TimeSpan.FromMilliseconds(TimeoutMilliseconds), MaxStatements = MaxStatements, MaxMemoryBytes = MaxMemoryBytes,
        MaxRecursion = MaxRecursion, RegexTimeout = TimeSpan.FromMilliseconds(RegexTimeoutMilliseconds), MaxArrayLength = MaxArrayLength,
        MaxScriptLength = MaxScriptLength, MaxOutputBytes = MaxOutputBytes,
    };
}

/// <summary>Length-prefixed JSON frames over a pipe: a 4-byte little-endian length, then UTF-8 JSON.</summary>
public static class SandboxFrames
{
    public const int MaxDepth = 512;

    // Frames go between two processes over a pipe, never into HTML: escaping '<' or 'é' as \uXXXX would only make a
    // result six times longer than the script's limit counted it.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        MaxDepth = MaxDepth, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static async Task WriteAsync<T>(Stream stream, T message, CancellationToken cancellationToken = default)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(message, Json);
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, payload.Length);
        payload.CopyTo(frame, 4);
        await stream.WriteAsync(frame, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>The next frame, or null at the end of the stream; a frame over <paramref name="maxBytes"/> is refused.</summary>
    public static async Task<T?> ReadAsync<T>(Stream stream, int maxBytes, CancellationToken cancellationToken = default) where T : class
    {
        var header = new byte[4];
        if (!await FillAsync(stream, header, cancellationToken))
        {
            return null;
        }
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < 0 || length > maxBytes)
        {
            throw new InvalidDataException($"A sandbox frame of {length} bytes is over the limit of {maxBytes}.");
        }
        var payload = new byte[length];
        if (!await FillAsync(stream, payload, cancellationToken))
        {
            return null;
        }
        return JsonSerializer.Deserialize<T>(payload, Json);
    }

    private static async Task<bool> FillAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                return false;
            }
            read += n;
        }
        return true;
    }
}

/// <summary>
/// The loop of a sandbox process: one request at a time from <c>input</c>, one reply each to
/// <c>output</c>, scripts parsed once per process. Whatever a script does here — a stack overflow,
/// a memory blow-up, a hang — ends at most this process, which the server replaces.
/// </summary>
public static class SandboxWorker
{
    /// <summary>Written once at start, so the server knows the process is ready.</summary>
    public static readonly SandboxReply Ready = new(true, Result: "ready");

    public const int MaxRequestBytes = 64 * 1024 * 1024;

    public static async Task ServeAsync(Stream input, Stream output)
    {
        var scripts = new Dictionary<string, PreparedScript>(StringComparer.Ordinal);
        await SandboxFrames.WriteAsync(output, Ready);
        while (await SandboxFrames.ReadAsync<SandboxRequest>(input, MaxRequestBytes) is { } request)
        {
            var reply = Handle(request, scripts);
            try
            {
                await SandboxFrames.WriteAsync(output, reply);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.Text.Json.JsonException)
            {
                // A result that cannot be written as JSON fails its call, not the process.
                await SandboxFrames.WriteAsync(output, new SandboxReply(false, Error: $"The script's result could not be written as JSON ({ex.GetType().Name})."));
            }
            if (reply.Recycle)
            {
                return;
            }
        }
    }

    private static SandboxReply Handle(SandboxRequest request, Dictionary<string, PreparedScript> scripts)
    {
        var limits = request.Limits.ToLimits();
        try
        {
            if (!scripts.TryGetValue(request.ScriptId, out var script))
            {
                if (request.Source is null)
                {
                    return new SandboxReply(false, UnknownScript: true);
                }
                script = PreparedScript.Prepare(request.Source, limits);
                scripts[request.ScriptId] = script;
            }
            if (request.Arguments is null)
            {
                return new SandboxReply(true, Defined: ScriptSandbox.Defines(script, request.Function, limits));
            }
            return new SandboxReply(true, ScriptSandbox.Call(script, request.Function, [.. request.Arguments], limits));
        }
        catch (ScriptFailedException ex)
        {
            return new SandboxReply(false, Error: ex.Message);
        }
        catch (OutOfMemoryException)
        {
            // The heap limit of this process was reached: answer, then end the process so the next call gets a clean one.
            return new SandboxReply(false, Error: "The script used more memory than its sandbox allows and was stopped.", Recycle: true);
        }
    }
}
