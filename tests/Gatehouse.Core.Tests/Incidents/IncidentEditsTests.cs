using System.Text.Json.Nodes;
using Gatehouse.Core.Incidents;

namespace Gatehouse.Core.Tests.Incidents;

public class IncidentEditsTests
{
    private static readonly IncidentRecord Current = new(new Dictionary<IncidentField, JsonNode?>
    {
        [IncidentModel.Status] = "Open",
        [IncidentModel.Tags] = new JsonArray("mail"),
    }, []);

    [Theory]
    [InlineData("""{"tags":"phishing, user , phishing"}""")]
    [InlineData("""{"tags":["phishing","user"]}""")]
    public void Tags_are_a_list_or_one_comma_separated_text(string json)
    {
        var (changes, errors) = IncidentEdits.Edit(Current, JsonNode.Parse(json)!.AsObject(), IncidentNaming.Api, IncidentVocabulary.Default);

        Assert.Empty(errors);
        var change = Assert.Single(changes);
        Assert.Equal("Tags", change.Name);
        Assert.Equal("""["phishing","user"]""", change.To!.ToJsonString());
    }
}
