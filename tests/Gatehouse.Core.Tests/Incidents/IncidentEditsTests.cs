using System.Text.Json.Nodes;
using Gatehouse.Core.Incidents;

namespace Gatehouse.Core.Tests.Incidents;

public class IncidentEditsTests
{
    private static readonly IncidentVocabulary Vocabulary = IncidentVocabulary.Default;
    private static readonly DateTimeOffset Now = new(2026, 1, 14, 8, 0, 0, TimeSpan.Zero);

    private static (IReadOnlyList<FieldChange> Changes, IReadOnlyList<string> Errors) Edit(string edit, IncidentNaming naming = IncidentNaming.Api, IncidentRecord? incident = null) =>
        IncidentEdits.Edit(incident ?? IncidentSample.Record(), JsonNode.Parse(edit)!.AsObject(), naming, Vocabulary);

    [Fact]
    public void An_edit_returns_only_the_fields_that_change_with_before_and_after()
    {
        var (changes, errors) = Edit("""{"title":"Phishing from a lookalike domain","stage":"containment","priority":"High","tags":"mail, vip , mail"}""");
        Assert.Empty(errors);
        Assert.Equal(["Stage", "Priority", "Tags"], changes.Select(c => c.Name));
        Assert.Equal("Containment", changes[0].To!.GetValue<string>());
        Assert.Equal("""["mail","vip"]""", changes[2].To!.ToJsonString());
    }

    [Fact]
    public void Wire_names_work_for_commands_and_api_names_for_the_admin_api()
    {
        Assert.Empty(Edit("""{"Investigation Team":["bob"],"Due Date":"2026-01-20 17:00:00"}""", IncidentNaming.Wire).Errors);
        Assert.NotEmpty(Edit("""{"Investigation Team":["bob"]}""", IncidentNaming.Api).Errors);
    }

    [Fact]
    public void Unknown_and_read_only_fields_are_refused_naming_the_editable_ones()
    {
        var errors = Edit("""{"colour":"red","creator":"mallory","closedBy":"x","number":"1"}""").Errors;
        Assert.Contains(errors, e => e.StartsWith("'colour' is not an incident field that can be edited; editable fields: incidentType, title", StringComparison.Ordinal));
        Assert.Contains(errors, e => e == "'creator' cannot be edited: it is kept as the incident was created.");
        Assert.Contains(errors, e => e == "'closedBy' cannot be edited: it is set by closing the incident.");
    }

    [Fact]
    public void Values_outside_the_configured_lists_are_refused_with_the_allowed_ones() =>
        Assert.Contains("'stage' must be one of: Detection, Triage, Investigation, Containment, Eradication, Recovery, Lessons Learned.", Edit("""{"stage":"Done"}""").Errors);

    [Fact]
    public void Only_closing_sets_the_closed_status() =>
        Assert.Contains(Edit("""{"status":"closed"}""").Errors, e => e.Contains("close the incident instead", StringComparison.Ordinal));

    [Fact]
    public void Closing_needs_a_conclusion_and_a_disposition_and_records_who_and_when()
    {
        var incident = IncidentSample.Record();
        Assert.Equal(2, IncidentEdits.Close(incident, null, JsonValue.Create("Maybe"), "bob", Now, Vocabulary, IncidentNaming.Api).Errors.Count);
        var (changes, errors) = IncidentEdits.Close(incident, JsonValue.Create("Blocked the domain."), JsonValue.Create("true positive"), "bob", Now, Vocabulary, IncidentNaming.Api);
        Assert.Empty(errors);
        var byName = changes.ToDictionary(c => c.Name, c => c.To?.ToJsonString());
        Assert.Equal("\"Closed\"", byName["Status"]);
        Assert.Equal("\"True Positive\"", byName["Disposition"]);
        Assert.Equal("\"2026-01-14 08:00:00\"", byName["Date Closed"]);
        Assert.Equal("\"bob\"", byName["Closed By"]);
    }

    [Fact]
    public void A_closed_incident_cannot_be_closed_again_and_reopening_clears_when_and_who()
    {
        var closed = IncidentSample.Record(status: "Closed", disposition: "False Positive", closed: Now, closedBy: "bob");
        Assert.NotEmpty(IncidentEdits.Close(closed, JsonValue.Create("again"), JsonValue.Create("Duplicate"), "bob", Now, Vocabulary, IncidentNaming.Api).Errors);
        var (changes, errors) = Edit("""{"status":"Open"}""", incident: closed);
        Assert.Empty(errors);
        Assert.Equal(["Status", "Date Closed", "Closed By"], changes.Select(c => c.Name));
        Assert.All(changes.Skip(1), c => Assert.Null(c.To));
    }

    [Fact]
    public void Dynamic_fields_are_set_and_removed_by_section()
    {
        var (changes, errors) = Edit("""{"dynamicFields":{"Customer":{"Country":"DE","Seats":null},"Enrichment":{"Verdict":"Malicious"}}}""");
        Assert.Empty(errors);
        Assert.Equal(["Customer - Country", "Customer - Seats", "Enrichment - Verdict"], changes.Select(c => c.Name));
        Assert.Null(changes[1].To);
        Assert.NotEmpty(Edit("""{"dynamicFields":{"A - B":{"x":1}}}""").Errors);
        Assert.NotEmpty(Edit("""{"dynamicFields":["x"]}""").Errors);
    }

    [Theory]
    [InlineData("""{"title":""}""")]
    [InlineData("""{"title":42}""")]
    [InlineData("""{"timezone":"Mars/Olympus"}""")]
    [InlineData("""{"dueDate":"soon"}""")]
    [InlineData("""{"tags":[1,2]}""")]
    [InlineData("""{"title":"a\u0000b"}""")]
    [InlineData("""{"dynamicFields":{"S":{"f":"a\u0000"}}}""")]
    public void Wrong_values_are_refused(string edit) => Assert.NotEmpty(Edit(edit).Errors);

    private static readonly IncidentRecord TagsOnly = new(new Dictionary<IncidentField, JsonNode?>
    {
        [IncidentModel.Status] = "Open",
        [IncidentModel.Tags] = new JsonArray("mail"),
    }, []);

    // Regression: one comma-separated text failed with a 500 ("The node already has a parent").
    [Theory]
    [InlineData("""{"tags":"phishing, user , phishing"}""")]
    [InlineData("""{"tags":["phishing","user"]}""")]
    public void Tags_are_a_list_or_one_comma_separated_text(string json)
    {
        var (changes, errors) = IncidentEdits.Edit(TagsOnly, JsonNode.Parse(json)!.AsObject(), IncidentNaming.Api, IncidentVocabulary.Default);

        Assert.Empty(errors);
        var change = Assert.Single(changes);
        Assert.Equal("Tags", change.Name);
        Assert.Equal("""["phishing","user"]""", change.To!.ToJsonString());
    }
}
