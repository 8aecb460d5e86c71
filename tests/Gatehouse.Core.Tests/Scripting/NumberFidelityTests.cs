using System.Text.Json.Nodes;
using Gatehouse.Core.Scripting;

namespace Gatehouse.Core.Tests.Scripting;

/// <summary>Big integers and out-of-range numbers survive a formatter that did not touch them.</summary>
public sealed class NumberFidelityTests
{
    [Fact]
    public void Big_integer_ids_keep_their_exact_text_through_a_script_that_returns_the_event()
    {
        var original = JsonNode.Parse("""{"id":9007199254740993,"big":1e400,"neg":-1e400,"long":123456789012345678901234567890,"list":[18446744073709551615],"small":1.5}""")!;
        var script = JsonNode.Parse(ScriptSandbox.Call(PreparedScript.Prepare("function format(e) { e.added = 1; return e; }"), "format", [original])!.ToJsonString());

        var restored = NumberFidelity.Restore(original, script)!;

        Assert.Equal("9007199254740993", restored["id"]!.ToJsonString());
        Assert.Equal("1e400", restored["big"]!.ToJsonString());
        Assert.Equal("-1e400", restored["neg"]!.ToJsonString());
        Assert.Equal("123456789012345678901234567890", restored["long"]!.ToJsonString());
        Assert.Equal("18446744073709551615", restored["list"]![0]!.ToJsonString());
        Assert.Equal("1.5", restored["small"]!.ToJsonString());
        Assert.Equal("1", restored["added"]!.ToJsonString());
    }

    [Fact]
    public void Numbers_the_script_changed_stay_as_the_script_made_them()
    {
        var original = JsonNode.Parse("""{"id":9007199254740993,"n":2,"gone":1e400}""")!;
        var result = JsonNode.Parse("""{"id":1,"n":"two","gone":0}""")!;

        var restored = NumberFidelity.Restore(original, result)!;

        Assert.Equal("""{"id":1,"n":"two","gone":0}""", restored.ToJsonString());
    }
}
