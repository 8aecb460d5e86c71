using System.Diagnostics;
using System.Text.Json.Nodes;
using Gatehouse.Core.Scripting;

namespace Gatehouse.Core.Tests.Scripting;

public class ScriptSandboxTests
{
    private static readonly SandboxLimits Tight = new() { Timeout = TimeSpan.FromMilliseconds(500), MaxStatements = 200_000, MaxMemoryBytes = 8 * 1024 * 1024, MaxRecursion = 50, RegexTimeout = TimeSpan.FromMilliseconds(100), MaxOutputBytes = 10_000 };

    private static JsonNode? RunMain(string script, JsonNode? parameters = null) =>
        ScriptSandbox.Call(PreparedScript.Prepare(script, Tight), "main", [parameters ?? new JsonObject(), new JsonObject { ["site"] = "SOC" }], Tight);

    private static string Fails(string script)
    {
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<ScriptFailedException>(() => RunMain(script));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        return error.Message;
    }

    [Fact]
    public void Main_gets_its_parameters_and_context_and_returns_json()
    {
        var result = RunMain("""
            function main(params, context) {
              return { returnData: params.a * 2, rawData: [context.site], contextData: { ok: true, when: null } };
            }
            """, new JsonObject { ["a"] = 21 });

        Assert.Equal("""{"returnData":42,"rawData":["SOC"],"contextData":{"ok":true,"when":null}}""", result!.ToJsonString());
    }

    [Fact]
    public void A_prepared_script_starts_from_a_fresh_engine_every_call()
    {
        var script = PreparedScript.Prepare("var calls = 0; function main() { calls++; return calls; }", Tight);

        Assert.Equal(1, ScriptSandbox.Call(script, "main", [], Tight)!.GetValue<int>());
        Assert.Equal(1, ScriptSandbox.Call(script, "main", [], Tight)!.GetValue<int>());
    }

    [Fact]
    public void An_endless_loop_is_stopped() => Assert.Contains("stopped", Fails("function main() { while (true) {} }"));

    [Fact]
    public void Unbounded_allocation_is_stopped() =>
        Assert.Contains("stopped", Fails("function main() { var a = []; for (;;) { a.push('x'.repeat(1000)); } }"));

    [Fact]
    public void Deep_recursion_is_stopped() =>
        Assert.Contains("recursed deeper", Fails("function f(n) { return f(n + 1) + 1; } function main() { return f(0); }"));

    [Fact]
    public void A_catastrophic_regular_expression_is_stopped() =>
        Assert.Contains("stopped", Fails("function main() { return /^(a+)+$/.test('a'.repeat(40) + 'b'); }"));

    [Theory]
    [InlineData("function main() { return eval('1+1'); }")]
    [InlineData("function main() { return new Function('return 1')(); }")]
    [InlineData("function main() { return System.IO.File.ReadAllText('/etc/passwd'); }")]
    [InlineData("function main() { return importNamespace('System').Environment.MachineName; }")]
    [InlineData("function main() { undeclared = 1; return undeclared; }")]
    public void Eval_the_clr_and_sloppy_globals_are_out_of_reach(string script) => Fails(script);

    [Fact]
    public void Thrown_errors_are_reported_with_their_message() =>
        Assert.Contains("bad input", Fails("function main() { throw new Error('bad input'); }"));

    [Fact]
    public void Syntax_errors_size_and_missing_functions_are_clear()
    {
        Assert.Contains("does not parse", Assert.Throws<ScriptFailedException>(() => PreparedScript.Prepare("function main( {", Tight)).Message);
        Assert.Contains("limit", Assert.Throws<ScriptFailedException>(() => PreparedScript.Prepare(new string(' ', 70_000), Tight)).Message);
        Assert.Contains("does not define function main", Fails("function other() {}"));
    }

    [Fact]
    public void Results_over_the_output_limit_are_refused() =>
        Assert.Contains("larger than the limit", Fails("function main() { return 'x'.repeat(20000); }"));

    [Fact]
    public void Returning_nothing_is_null() => Assert.Null(RunMain("function main() { }"));
}
