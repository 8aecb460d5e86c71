using System.Net;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Admin;

public abstract class MappingPreviewTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;

    [Fact]
    public async Task Preview_maps_the_Kibana_connector_body_as_intake_would_and_stores_nothing()
    {
        var eventsBefore = (await Admin.GetAsync("/api/events"))["total"]!.GetValue<int>();
        var preview = await Admin.PostAsync("/api/integrations/mapping-preview", new JsonObject
        {
            ["eventIntake"] = new JsonObject
            {
                ["mainJsonPath"] = "$.hits.hits._source",
                ["fieldMappings"] = new JsonArray(
                    new JsonObject { ["field"] = "Hostname", ["source"] = "$.rawData.host" },
                    new JsonObject { ["field"] = "Severity", ["source"] = "$['kibana.alert.severity']" }),
            },
            ["sample"] = JsonNode.Parse("""{"hits":{"hits":{"_source":{"rawData":{"host":"web-01"},"event.type":"alert","kibana.alert.severity":"high"}}}}"""),
        }, HttpStatusCode.OK);

        var fields = preview["items"]![0]!["fields"]!;
        Assert.Equal("web-01", fields["Hostname"]!.GetValue<string>());
        Assert.Equal("High", fields["Severity"]!.GetValue<string>());
        Assert.Empty(preview["errors"]!.AsArray());
        Assert.Equal(eventsBefore, (await Admin.GetAsync("/api/events"))["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Preview_of_incident_intake_maps_each_incident_and_its_events_and_lists_skipped_items()
    {
        var preview = await Admin.PostAsync("/api/integrations/mapping-preview", new JsonObject
        {
            ["intake"] = "Incident",
            ["eventIntake"] = new JsonObject { ["fieldMappings"] = new JsonArray(new JsonObject { ["field"] = "Title", ["source"] = "$.name" }) },
            ["incidentIntake"] = new JsonObject
            {
                ["mainJsonPath"] = "$.incidents",
                ["eventsJsonPath"] = "$.alerts",
                ["fieldMappings"] = new JsonArray(new JsonObject { ["field"] = "Title", ["source"] = "$.title" }),
            },
            ["sample"] = JsonNode.Parse("""{"incidents":[{"title":"Ransomware","alerts":[{"name":"Shadow copies deleted"}]},"not an incident"]}"""),
        }, HttpStatusCode.OK);

        var incident = preview["items"]![0]!;
        Assert.Equal("Ransomware", incident["fields"]!["Title"]!.GetValue<string>());
        Assert.Equal("Shadow copies deleted", incident["events"]![0]!["fields"]!["Title"]!.GetValue<string>());
        Assert.Single(preview["errors"]!.AsArray());
    }

    [Fact]
    public async Task Preview_lists_every_problem_of_a_bad_mapping_in_one_400()
    {
        var response = await Admin.Http.PostAsync("/api/integrations/mapping-preview", new StringContent(
            """{"intake":"Incident","eventIntake":{"mainJsonPath":"$[","fieldMappings":[{"field":"Title","source":"$.x"}]}}""",
            System.Text.Encoding.UTF8, "application/json"));

        var problem = await GatehouseClient.Problem(response, HttpStatusCode.BadRequest, "validation_failed");
        var errors = problem["errors"]!.AsArray().Select(e => e!["message"]!.GetValue<string>()).ToList();
        Assert.Contains(errors, e => e.Contains("'sample' is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("eventIntake.mainJsonPath", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'incidentIntake' is required", StringComparison.Ordinal));
        Assert.Equal(3, errors.Count);
    }
}

public sealed class MappingPreviewTestsOnSqlite(SqliteFixture fixture) : MappingPreviewTests(fixture), IClassFixture<SqliteFixture>;

public sealed class MappingPreviewTestsOnPostgres(PostgresFixture fixture) : MappingPreviewTests(fixture), IClassFixture<PostgresFixture>;
