using System.Text.Json;
using System.Text.Json.Nodes;
using Acornima.Ast;
using Jint;
using Jint.Native;

namespace Gatehouse.Core.Scripting;

/// <summary>What one script call may use. Every limit fails that call only, never the server.</summary>
public sealed record SandboxLimits
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);
    public int MaxStatements { get; init; } = 1_000_000;
    public long MaxMemoryBytes { get; init; } = 32 * 1024 * 1024;
    public int MaxRecursion { get; init; } = 200;
    public TimeSpan RegexTimeout { get; init; } = TimeSpan.FromMilliseconds(200);
    public int MaxArrayLength { get; init; } = 1_000_000;
    public int MaxScriptLength { get; init; } = 64 * 1024;
    public int MaxOutputBytes { get; init; } = 1024 * 1024;

    public static readonly SandboxLimits Default = new();
}

/// <summary>A script that failed: its message says why, in words an operator can act on.</summary>
public class ScriptFailedException(string message) : Exception(message);

/// <summary>A script parsed once; each call still gets a fresh engine.</summary>
public sealed class PreparedScript
{
    private PreparedScript(Prepared<Script> prepared) => Prepared = prepared;

    internal Prepared<Script> Prepared { get; }

    /// <summary>Parses the script, or fails with the syntax error (or the size limit).</summary>
    public static PreparedScript Prepare(string source, SandboxLimits? limits = null)
    {
        limits ??= SandboxLimits.Default;
        if (source.Length > limits.MaxScriptLength)
        {
            throw new ScriptFailedException($"The script is {source.Length} characters; the limit is {limits.MaxScriptLength}.");
        }
        try
        {
            return new PreparedScript(Engine.PrepareScript(source, source: "script", strict: true));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ScriptFailedException($"The script does not parse: {ex.Message}");
        }
    }
}

/// <summary>
/// Runs JavaScript with no CLR access, no eval or Function constructor, strict mode, and limits
/// on time, statements, memory, recursion, regular expressions and output: a fresh engine per call.
/// </summary>
public static class ScriptSandbox
{
    public const int MaxResultDepth = 256;

    /// <summary>Whether running the script's top level (within the limits) defines <paramref name="function"/>.</summary>
    public static bool Defines(PreparedScript script, string function, SandboxLimits? limits = null)
    {
        limits ??= SandboxLimits.Default;
        var engine = NewEngine(limits, CancellationToken.None);
        try
        {
            engine.Execute(script.Prepared);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ScriptFailedException(Describe(ex, limits));
        }
        return engine.GetValue(function) is Jint.Native.Function.Function;
    }

    /// <summary>Calls <paramref name="function"/> with JSON arguments; returns its result as JSON (undefined as null).</summary>
    public static JsonNode? Call(PreparedScript script, string function, IReadOnlyList<JsonNode?> arguments, SandboxLimits? limits = null, CancellationToken cancellationToken = default)
    {
        limits ??= SandboxLimits.Default;
        var engine = NewEngine(limits, cancellationToken);
        try
        {
            engine.Execute(script.Prepared);
            var callee = engine.GetValue(function);
            if (callee is not Jint.Native.Function.Function)
            {
                throw new ScriptFailedException($"The script does not define function {function}(…).");
            }
            var parser = new Jint.Native.Json.JsonParser(engine);
            var values = arguments.Select(a => a is null ? JsValue.Null : parser.Parse(a.ToJsonString())).ToArray();
            var result = engine.Invoke(callee, values);
            if (result.IsUndefined() || result.IsNull())
            {
                return null;
            }
            var json = new Jint.Native.Json.JsonSerializer(engine).Serialize(result);
            if (json.IsUndefined())
            {
                return null;
            }
            var text = json.AsString();
            if (text.Length > limits.MaxOutputBytes)
            {
                throw new ScriptFailedException($"The script's result is larger than the limit of {limits.MaxOutputBytes} characters of JSON.");
            }
            try
            {
                return JsonNode.Parse(WellFormedText.RepairJson(text), documentOptions: new JsonDocumentOptions { MaxDepth = MaxResultDepth });
            }
            catch (JsonException)
            {
                throw new ScriptFailedException($"The script's result is nested deeper than {MaxResultDepth} levels.");
            }
        }
        catch (ScriptFailedException)
        {
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ScriptFailedException(Describe(ex, limits));
        }
    }

    /// <summary>Globals a script could block on or share memory through, beyond the engine's limits: removed.</summary>
    private static readonly string[] RemovedGlobals = ["Atomics", "SharedArrayBuffer", "WeakRef", "FinalizationRegistry"];

    private static Engine NewEngine(SandboxLimits limits, CancellationToken cancellationToken)
    {
        var engine = new Engine(options =>
        {
            options.Strict();
            options.DisableStringCompilation();
            options.LimitMemory(limits.MaxMemoryBytes);
            options.TimeoutInterval(limits.Timeout);
            options.MaxStatements(limits.MaxStatements);
            options.LimitRecursion(limits.MaxRecursion);
            options.CancellationToken(cancellationToken);
            options.Constraints.RegexTimeout = limits.RegexTimeout;
            options.Constraints.MaxArraySize = (uint)limits.MaxArrayLength;
        });
        foreach (var name in RemovedGlobals)
        {
            engine.Global.RemoveOwnProperty(name);
        }
        return engine;
    }

    private static string Describe(Exception ex, SandboxLimits limits) => ex.GetType().Name switch
    {
        "TimeoutException" => $"The script ran longer than {limits.Timeout.TotalSeconds:0.#} s and was stopped.",
        "StatementsCountOverflowException" => $"The script ran more than {limits.MaxStatements} statements and was stopped.",
        "MemoryLimitExceededException" => $"The script used more than {limits.MaxMemoryBytes / (1024 * 1024)} MiB and was stopped.",
        "RecursionDepthOverflowException" => $"The script recursed deeper than {limits.MaxRecursion} calls and was stopped.",
        "RegexMatchTimeoutException" => $"A regular expression in the script ran longer than {limits.RegexTimeout.TotalMilliseconds:0} ms and was stopped.",
        "ExecutionCanceledException" => "The script was cancelled.",
        "JavaScriptException" => $"The script threw: {ex.Message}",
        _ => $"The script failed: {ex.Message}",
    };
}
