using System.Text.Json.Nodes;
using Gatehouse.Core.Scripting;

namespace Gatehouse.Core.Tests.Scripting;

public sealed class WellFormedTextTests
{
    [Fact]
    public void Formatter_that_slices_an_emoji_in_half_crashed_its_sandbox_process()
    {
        // Regression: the half surrogate could not be written as JSON and the worker process died, quarantining the whole request.
        var result = ScriptSandbox.Call(PreparedScript.Prepare("function format(e) { e.title = e.title.slice(0, 5); e[String.fromCharCode(0xDC00)] = 1; return e; }"),
            "format", [new JsonObject { ["title"] = "abcd\U0001F600 alert" }]);

        var written = result!.ToJsonString();

        Assert.Equal("abcd\uFFFD", JsonNode.Parse(written)!["title"]!.GetValue<string>());
        Assert.Equal(1, JsonNode.Parse(written)!["\uFFFD"]!.GetValue<int>());
    }

    [Fact]
    public void Whole_characters_and_pairs_are_kept()
    {
        Assert.Equal("a\U0001F600b", WellFormedText.Repair("a\U0001F600b"));
        Assert.Equal("\uFFFDx\uFFFD", WellFormedText.Repair("\uD83Dx\uDE00"));
        Assert.Equal("""{"a":"\ufffd","b":"\\udc00","c":"\ud83d\ude00","d":"\ufffdx"}""",
            WellFormedText.RepairJson("""{"a":"\udc00","b":"\\udc00","c":"\ud83d\ude00","d":"\ud83dx"}"""));
    }
}
