using System.Text.Json.Nodes;
using Gatehouse.Core.Intake;

namespace Gatehouse.Core.Tests.Intake;

public class FieldMapTests
{
    private static FieldMap Compile(params FieldMappingRow[] rows)
    {
        var errors = new List<string>();
        var map = FieldMap.Compile(FieldCatalog.Event, rows, errors);
        Assert.Empty(errors);
        return map;
    }

    [Fact]
    public void Standard_fields_are_recognised_in_any_spelling_and_stored_under_their_display_name()
    {
        var map = Compile(new("source ip", "$.src"), new("DestinationIP", "$.dst"), new("command_line", "$.cmd"), new("url", "$.u"));
        var item = JsonNode.Parse("""{"src":"10.0.0.1","dst":"10.0.0.2","cmd":"whoami /all","u":"http://x"}""")!;

        var mapped = map.Apply(item);

        Assert.Equal("10.0.0.1", mapped[EventFields.SourceIp]);
        Assert.Equal("10.0.0.2", mapped[EventFields.DestinationIp]);
        Assert.Equal("whoami /all", mapped[EventFields.CommandLine]);
        Assert.Equal("http://x", mapped[EventFields.Url]);
        Assert.Empty(mapped.Custom);
    }

    [Fact]
    public void Every_standard_event_field_can_be_mapped()
    {
        var rows = FieldCatalog.Event.Names.Select((name, i) => new FieldMappingRow(name, $"$.f{i}")).ToArray();
        var item = new JsonObject();
        for (var i = 0; i < rows.Length; i++)
        {
            item[$"f{i}"] = $"value {i}";
        }

        var mapped = Compile(rows).Apply(item);

        Assert.Equal(15, mapped.Standard.Count);
        Assert.Equal("value 0", mapped[EventFields.EventType]);
        Assert.Equal("value 14", mapped[EventFields.ExternalId]);
    }

    [Fact]
    public void Unknown_field_names_become_custom_fields_that_keep_their_json_value()
    {
        var map = Compile(new("Tenant", "$.tenant"), new("Tags", "$.tags"));
        var mapped = map.Apply(JsonNode.Parse("""{"tenant":{"id":7},"tags":["a","b"]}""")!);

        Assert.Equal("""{"id":7}""", mapped.Custom["Tenant"]!.ToJsonString());
        Assert.Equal("""["a","b"]""", mapped.Custom["Tags"]!.ToJsonString());
    }

    [Fact]
    public void Non_string_values_of_standard_fields_are_kept_as_json_text_and_several_matches_as_an_array()
    {
        var map = Compile(new("External ID", "$.id"), new("Hostname", "$.hosts[*].name"), new("Description", "$.details"));
        var mapped = map.Apply(JsonNode.Parse("""{"id":42,"hosts":[{"name":"a"},{"name":"b"}],"details":{"k":true}}""")!);

        Assert.Equal("42", mapped[EventFields.ExternalId]);
        Assert.Equal("""["a","b"]""", mapped[EventFields.Hostname]);
        Assert.Equal("""{"k":true}""", mapped[EventFields.Description]);
    }

    [Fact]
    public void Missing_and_null_sources_leave_the_field_empty()
    {
        var mapped = Compile(new("Title", "$.absent"), new("Domain", "$.nothing")).Apply(JsonNode.Parse("""{"nothing":null}""")!);

        Assert.Empty(mapped.Standard);
    }

    [Theory]
    [InlineData("high", "High")]
    [InlineData("CRITICAL", "Critical")]
    [InlineData("moderate", "Medium")]
    [InlineData("info", "Informational")]
    [InlineData("P1", "P1")]
    public void Severity_is_normalised_when_recognised_and_kept_otherwise(string raw, string expected)
    {
        var map = Compile(new FieldMappingRow("Severity", "$.s"));
        var mapped = map.Apply(new JsonObject { ["s"] = raw });

        Assert.Equal(expected, mapped[EventFields.Severity]);
    }

    [Fact]
    public void Every_bad_row_is_reported()
    {
        var errors = new List<string>();
        FieldMap.Compile(FieldCatalog.Event, [new("", "$.a"), new("Title", "$["), new("title ", "$.b")], errors);

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Contains("'field' is required"));
        Assert.Contains(errors, e => e.Contains("unclosed '['"));
        Assert.Contains(errors, e => e.Contains("mapped more than once"));
    }
}
