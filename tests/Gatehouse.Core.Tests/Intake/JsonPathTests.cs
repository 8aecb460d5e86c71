using System.Text.Json.Nodes;
using Gatehouse.Core.Intake;

namespace Gatehouse.Core.Tests.Intake;

public class JsonPathTests
{
    private static readonly JsonNode Document = JsonNode.Parse("""
        {
          "hits": { "hits": [ { "_source": { "rule name": "A", "event.type": "alert" } }, { "_source": { "rule name": "B" } } ] },
          "it's": 1,
          "nothing": null,
          "list": [10, 20, 30]
        }
        """)!;

    [Theory]
    [InlineData("$.hits.hits[0]._source['rule name']", "\"A\"")]
    [InlineData("$['hits'][\"hits\"][1]._source['rule name']", "\"B\"")]
    [InlineData("hits.hits[0]._source['event.type']", "\"alert\"")]
    [InlineData("$['it\\'s']", "1")]
    [InlineData("$.list[-1]", "30")]
    [InlineData("$.list[ 1 ]", "20")]
    public void Selects_a_single_node_by_member_name_quoted_name_and_index(string path, string expected)
    {
        var selected = JsonPath.Parse(path).Select(Document);

        Assert.Equal(expected, Assert.Single(selected)!.ToJsonString());
    }

    [Fact]
    public void Root_path_selects_the_whole_document()
    {
        Assert.True(JsonPath.Parse("$").IsRoot);
        Assert.Same(Document, Assert.Single(JsonPath.Parse("$").Select(Document)));
    }

    [Fact]
    public void Wildcard_opens_arrays_and_objects()
    {
        Assert.Equal(["\"A\"", "\"B\""], JsonPath.Parse("$.hits.hits[*]._source['rule name']").Select(Document).Select(n => n!.ToJsonString()));
        Assert.Equal(3, JsonPath.Parse("$.list.*").Select(Document).Count);
        Assert.Equal(2, JsonPath.Parse("$.hits.hits[0]._source.*").Select(Document).Count);
    }

    [Fact]
    public void Missing_members_and_out_of_range_indexes_select_nothing()
    {
        Assert.Empty(JsonPath.Parse("$.absent.deeper").Select(Document));
        Assert.Empty(JsonPath.Parse("$.list[3]").Select(Document));
        Assert.Empty(JsonPath.Parse("$.list[-4]").Select(Document));
        Assert.Empty(JsonPath.Parse("$.list.name").Select(Document));
        Assert.Empty(JsonPath.Parse("$.hits[0]").Select(Document));
    }

    [Fact]
    public void A_present_null_is_selected_as_null()
    {
        Assert.Null(Assert.Single(JsonPath.Parse("$.nothing").Select(Document)));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("$.", "member name is missing")]
    [InlineData("$..a", "member name is missing")]
    [InlineData("$[", "unclosed '['")]
    [InlineData("$['abc", "unclosed quoted name")]
    [InlineData("$['abc'", "expected ']'")]
    [InlineData("$[abc]", "neither an index")]
    [InlineData("$[1", "unclosed '['")]
    [InlineData("$a", "unexpected 'a'")]
    [InlineData("$.a]", "unexpected ']'")]
    public void Malformed_paths_are_refused_with_the_reason(string path, string reason)
    {
        Assert.False(JsonPath.TryParse(path, out _, out var error));
        Assert.Contains(reason, error);
        var thrown = Assert.Throws<JsonPathException>(() => JsonPath.Parse(path));
        Assert.Contains(reason, thrown.Message);
    }

    [Fact]
    public void A_missing_path_is_refused()
    {
        Assert.False(JsonPath.TryParse(null, out _, out var error));
        Assert.Contains("missing", error);
    }
}
