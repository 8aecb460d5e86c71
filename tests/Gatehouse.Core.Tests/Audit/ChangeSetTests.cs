using System.Text.Json.Nodes;
using Gatehouse.Core.Audit;

namespace Gatehouse.Core.Tests.Audit;

public sealed class ChangeSetTests
{
    [Fact]
    public void Only_the_members_that_changed_are_kept_with_their_old_and_new_values()
    {
        var before = JsonNode.Parse("""{"name":"a","kind":"Internal","sites":["x"],"order":1}""")!.AsObject();
        var after = JsonNode.Parse("""{"name":"b","kind":"Internal","sites":["x","y"],"order":1}""")!.AsObject();

        var changes = ChangeSet.Between(before, after)!;

        Assert.Equal("""{"from":{"name":"a","sites":["x"]},"to":{"name":"b","sites":["x","y"]}}""", changes.ToJsonString());
    }

    [Fact]
    public void Nothing_changed_is_null()
    {
        var view = JsonNode.Parse("""{"name":"a","condition":{"all":[{"field":"x"}]}}""")!.AsObject();

        Assert.Null(ChangeSet.Between(view, view.DeepClone().AsObject()));
    }

    [Fact]
    public void A_member_present_on_one_side_only_is_a_change_from_or_to_null()
    {
        var changes = ChangeSet.Between(JsonNode.Parse("""{"a":1}""")!.AsObject(), JsonNode.Parse("""{"b":2}""")!.AsObject())!;

        Assert.Equal("""{"from":{"a":1,"b":null},"to":{"a":null,"b":2}}""", changes.ToJsonString());
    }
}
