using System.Text.Json.Nodes;
using Gatehouse.Core.Intake;

namespace Gatehouse.Core.Tests.Intake;

public class IntakeExtractorTests
{
    private static CompiledIntake Intake(string main, string? events = null, FieldCatalog? catalog = null, params FieldMappingRow[] rows) =>
        CompiledIntake.CompileValid(new IntakeDefinition(main, rows, events), catalog ?? FieldCatalog.Event);

    [Fact]
    public void An_array_yields_one_event_per_element()
    {
        var body = JsonNode.Parse("""{"alerts":[{"name":"a"},{"name":"b"},{"name":"c"}]}""");

        var result = IntakeExtractor.ExtractEvents(body, Intake("$.alerts", rows: new FieldMappingRow("Title", "$.name")));

        Assert.Equal(["a", "b", "c"], result.Events.Select(e => e.Fields[EventFields.Title]));
        Assert.Equal(["event 0", "event 1", "event 2"], result.Events.Select(e => e.Label));
        Assert.Empty(result.Errors);
    }

    [Fact]
    public void An_object_counts_as_a_one_element_array_as_in_kibanas_hits_hits()
    {
        var body = JsonNode.Parse("""{"hits":{"hits":{"_source":{"rawData":{"x":1},"event.type":"alert"}}}}""");

        var result = IntakeExtractor.ExtractEvents(body, Intake("$.hits.hits", rows: new FieldMappingRow("Event Type", "$._source['event.type']")));

        var single = Assert.Single(result.Events);
        Assert.Equal("alert", single.Fields[EventFields.EventType]);
        Assert.Equal("""{"x":1}""", single.Raw["_source"]!["rawData"]!.ToJsonString());
    }

    [Fact]
    public void The_root_path_on_an_array_body_takes_each_element()
    {
        var result = IntakeExtractor.ExtractEvents(JsonNode.Parse("""[{"a":1},{"a":2}]"""), Intake("$"));

        Assert.Equal(2, result.Events.Count);
    }

    [Fact]
    public void Items_that_are_not_objects_are_skipped_with_an_error_each()
    {
        var result = IntakeExtractor.ExtractEvents(JsonNode.Parse("""[{"a":1}, "text", 3, null, [1]]"""), Intake("$"));

        Assert.Single(result.Events);
        Assert.Equal(["event 1", "event 2", "event 3", "event 4"], result.Errors.Select(e => e.Item));
        Assert.Contains("a string", result.Errors[0].Message);
        Assert.Contains("null", result.Errors[2].Message);
    }

    [Fact]
    public void A_main_path_that_selects_nothing_is_an_error_not_an_empty_success()
    {
        var result = IntakeExtractor.ExtractEvents(JsonNode.Parse("""{"other":[]}"""), Intake("$.alerts"));

        Assert.Empty(result.Events);
        Assert.Contains("selected nothing", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public void Incidents_carry_their_nested_events_mapped_with_the_event_mapping()
    {
        var body = JsonNode.Parse("""
            {"cases":[
              {"title":"Case 1","sev":"high","type":"Malware","alerts":[{"host":"h1"},{"host":"h2"}]},
              {"title":"Case 2","alerts":{"host":"h3"}},
              {"title":"Case 3"}
            ]}
            """);
        var incidentIntake = Intake("$.cases", "$.alerts", FieldCatalog.Incident,
            new("Title", "$.title"), new("Severity", "$.sev"), new("Incident Type", "$.type"));
        var eventIntake = Intake("$", rows: new FieldMappingRow("Hostname", "$.host"));

        var result = IntakeExtractor.ExtractIncidents(body, incidentIntake, eventIntake);

        Assert.Equal(3, result.Incidents.Count);
        Assert.Equal("High", result.Incidents[0].Fields[IncidentFields.Severity]);
        Assert.Equal("Malware", result.Incidents[0].Fields[IncidentFields.IncidentType]);
        Assert.Equal(["h1", "h2"], result.Incidents[0].Events.Select(e => e.Fields[EventFields.Hostname]));
        Assert.Equal(["h3"], result.Incidents[1].Events.Select(e => e.Fields[EventFields.Hostname]));
        Assert.Empty(result.Incidents[2].Events);
        Assert.Empty(result.Errors);
    }

    [Fact]
    public void Compiling_lists_every_problem_of_a_definition()
    {
        var errors = new List<string>();
        var compiled = CompiledIntake.Compile(
            new IntakeDefinition("$[", [new("Title", "$.a.")], "$['x"), FieldCatalog.Incident, "incidentIntake", errors);

        Assert.Null(compiled);
        Assert.Equal(3, errors.Count);
        Assert.All(errors, e => Assert.StartsWith("incidentIntake.", e));
    }
}
