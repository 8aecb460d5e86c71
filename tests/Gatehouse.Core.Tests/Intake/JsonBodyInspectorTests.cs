using System.Text;
using Gatehouse.Core.Intake;

namespace Gatehouse.Core.Tests.Intake;

public class JsonBodyInspectorTests
{
    private static JsonBodyVerdict Inspect(string json, int maxDepth = 64) => JsonBodyInspector.Inspect(Encoding.UTF8.GetBytes(json), maxDepth);

    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData(""" {"a":[1,2,{"b":null}],"c":"\u00e9"} """)]
    [InlineData(""" {"pair":"\ud83d\ude00","n":"\n"} """)]
    public void Well_formed_objects_and_arrays_pass(string json) => Assert.True(Inspect(json).IsValid);

    [Theory]
    [InlineData("", JsonBodyProblem.Empty)]
    [InlineData("   \n", JsonBodyProblem.Empty)]
    [InlineData("{", JsonBodyProblem.Malformed)]
    [InlineData("{\"a\":1,}", JsonBodyProblem.Malformed)]
    [InlineData("{'a':1}", JsonBodyProblem.Malformed)]
    [InlineData("{} {}", JsonBodyProblem.Malformed)]
    [InlineData("{\"a\":1 /* c */}", JsonBodyProblem.Malformed)]
    [InlineData("\"just a string\"", JsonBodyProblem.NotObjectOrArray)]
    [InlineData("42", JsonBodyProblem.NotObjectOrArray)]
    [InlineData("{\"a\":1,\"a\":2}", JsonBodyProblem.DuplicateProperty)]
    [InlineData("{\"x\":{\"a\":1,\"b\":{},\"a\":2}}", JsonBodyProblem.DuplicateProperty)]
    [InlineData(""" {"hits":[{"t":"ok"},{"t":"bad\ud800"}]} """, JsonBodyProblem.Malformed)]
    [InlineData(""" {"t":"\udc00x"} """, JsonBodyProblem.Malformed)]
    [InlineData(""" {"bad\ud800name":1} """, JsonBodyProblem.Malformed)]
    public void Bad_bodies_are_classified(string json, JsonBodyProblem expected) => Assert.Equal(expected, Inspect(json).Problem);

    [Fact]
    public void The_same_member_name_in_sibling_objects_is_not_a_duplicate()
    {
        Assert.True(Inspect("""[{"a":1},{"a":2},{"a":{"a":3}}]""").IsValid);
    }

    [Fact]
    public void Nesting_up_to_the_limit_passes_and_one_level_more_is_too_deep()
    {
        Assert.True(Inspect(new string('[', 64) + new string(']', 64)).IsValid);
        var verdict = Inspect(new string('[', 65) + new string(']', 65));
        Assert.Equal(JsonBodyProblem.TooDeep, verdict.Problem);
        Assert.Contains("64", verdict.Message);
    }

    [Fact]
    public void Extremely_deep_nesting_is_refused_without_overflowing()
    {
        var json = string.Concat(Enumerable.Repeat("{\"a\":", 200_000)) + "1" + new string('}', 200_000);

        Assert.Equal(JsonBodyProblem.TooDeep, Inspect(json).Problem);
    }

    [Fact]
    public void Invalid_utf8_in_a_member_name_is_refused()
    {
        byte[] body = [(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'];

        Assert.Equal(JsonBodyProblem.InvalidUtf8, JsonBodyInspector.Inspect(body, 64).Problem);
    }

    [Fact]
    public void Binary_garbage_is_refused()
    {
        var body = new byte[256];
        new Random(7).NextBytes(body);
        body[0] = (byte)'{';

        Assert.Equal(JsonBodyProblem.InvalidUtf8, JsonBodyInspector.Inspect(body, 64).Problem);
    }
}

public sealed class JsonBodyEncodingTests
{
    [Theory]
    [InlineData(new byte[] { (byte)'[', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)']' })]
    [InlineData(new byte[] { (byte)'[', (byte)'"', 0xC0, 0xAF, (byte)'"', (byte)']' })]
    [InlineData(new byte[] { (byte)'[', (byte)'"', 0xED, 0xA0, 0x80, (byte)'"', (byte)']' })]
    [InlineData(new byte[] { (byte)'[', (byte)'"', 0xFF, (byte)'"', (byte)']' })]
    public void Bodies_that_are_not_UTF8_are_refused_before_they_are_stored(byte[] body) =>
        Assert.Equal(JsonBodyProblem.InvalidUtf8, JsonBodyInspector.Inspect(body, 64).Problem);

    [Fact]
    public void Multibyte_UTF8_is_fine() =>
        Assert.True(JsonBodyInspector.Inspect("{\"t\":\"café ✓ 𝄞\"}"u8, 64).IsValid);
}
