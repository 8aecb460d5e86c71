using System.Text.Json.Nodes;
using Gatehouse.Core.Incidents;

namespace Gatehouse.Core.Tests.Incidents;

public class IncidentQueryTests
{
    private static IncidentQuery Parse(string parameters)
    {
        var (query, errors) = IncidentQuery.Parse(JsonNode.Parse(parameters)!.AsObject(), IncidentVocabulary.Default);
        Assert.True(query is not null, string.Join(" ", errors));
        return query;
    }

    [Fact]
    public void Rows_carry_the_static_fields_asked_for_and_dynamic_fields_as_section_dash_field()
    {
        var query = Parse("""{"Static Fields":["IR Number","Title","Tags","Linked Incidents","Made Up"],"Dynamic Fields":{"Customer":["Name","Region"]}}""");
        var row = query.Row(IncidentSample.Record());
        Assert.Equal(["IR Number", "Title", "Tags", "Linked Incidents", "Customer - Name", "Customer - Region"], row.Select(p => p.Key));
        Assert.Equal("20260113-7", row["IR Number"]!.GetValue<string>());
        // Sentinel's data-collection rule reads Tags as a string column.
        Assert.Equal("mail, credential theft", row["Tags"]!.GetValue<string>());
        Assert.Equal("Contoso", row["Customer - Name"]!.GetValue<string>());
        Assert.Null(row["Customer - Region"]);
        Assert.Equal(["Made Up"], query.UnknownStaticFields);
    }

    [Fact]
    public void PollFromSentinel_adds_the_raw_data_under_the_names_its_rule_reads()
    {
        var row = Parse("""{"Static Fields":["IR Number"],"PollFromSentinel":true}""").Row(IncidentSample.Record());
        Assert.True(row.ContainsKey(IncidentQuery.SentinelIncidentRaw) && row.ContainsKey(IncidentQuery.SentinelEventRaw));
    }

    [Fact]
    public void Paging_reads_the_page_and_its_size()
    {
        var query = Parse("""{"Page Index":3,"Page Size":10}""");
        Assert.Equal((3, 10), (query.PageIndex, query.PageSize));
    }

    [Theory]
    [InlineData("""{"Page Index":2147483647}""")]
    [InlineData("""{"Page Index":1e20}""")]
    [InlineData("""{"Page Index":"2"}""")]
    [InlineData("""{"Page Size":1e10}""")]
    [InlineData("""{"Page Size":2.5}""")]
    public void Page_numbers_out_of_range_are_refused_not_replaced_by_the_default(string parameters) =>
        Assert.Contains(IncidentQuery.Parse(JsonNode.Parse(parameters)!.AsObject(), IncidentVocabulary.Default).Errors, e => e.StartsWith("'Page", StringComparison.Ordinal));

    [Theory]
    [InlineData("""{"Start Time":"2026-01-13 10:00:00","End Time":"2026-01-13 09:00:00"}""")]
    [InlineData("""{"Incident Numbers":["INC-7"]}""")]
    [InlineData("""{"Page Size":0}""")]
    [InlineData("""{"Dynamic Fields":["Customer"]}""")]
    [InlineData("""{"Static Fields":"IR Number"}""")]
    public void Bad_parameters_are_refused(string parameters) =>
        Assert.NotEmpty(IncidentQuery.Parse(JsonNode.Parse(parameters)!.AsObject(), IncidentVocabulary.Default).Errors);

    [Theory]
    [InlineData("20260113-2531", 2531L, true)]
    [InlineData("2531", 2531L, true)]
    [InlineData("20260113-0", 0L, false)]
    [InlineData("2026-01-13", 0L, false)]
    [InlineData("INC-7", 0L, false)]
    public void Incident_numbers_are_the_creation_day_and_the_id(string text, long id, bool valid)
    {
        var parsed = IncidentNumbers.Parse(JsonValue.Create(text));
        Assert.Equal(valid, parsed is not null);
        if (valid)
        {
            Assert.Equal(id, parsed!.Value.Id);
        }
    }

    [Fact]
    public void A_full_number_must_match_the_creation_day_too()
    {
        var created = new DateTimeOffset(2026, 1, 13, 23, 59, 0, TimeSpan.Zero);
        Assert.True(IncidentNumbers.Names(IncidentNumbers.Parse(JsonValue.Create("20260113-5"))!.Value, 5, created));
        Assert.False(IncidentNumbers.Names(IncidentNumbers.Parse(JsonValue.Create("20260112-5"))!.Value, 5, created));
        Assert.True(IncidentNumbers.Names(IncidentNumbers.Parse(JsonValue.Create(5))!.Value, 5, created));
    }
}
