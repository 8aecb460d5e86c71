using System.Net.Http.Json;
using System.Net;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Intake;

public abstract class IncidentIntakeTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;

    private Task<string> CreateCaseIntegrationAsync() => Admin.CreateIntegrationAsync(
        eventIntake: new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Hostname", source = "$.device['host name']" } } },
        incidentIntake: new
        {
            mainJsonPath = "$.cases",
            eventsJsonPath = "$.alerts",
            fieldMappings = new object[]
            {
                new { field = "Title", source = "$.title" },
                new { field = "Severity", source = "$.severity" },
                new { field = "Incident Type", source = "$.category" },
                new { field = "Owner", source = "$.assignee" },
                new { field = "External ID", source = "$.id" },
                new { field = "Case URL", source = "$.link" },
            },
        });

    [Fact]
    public async Task Incidents_are_created_with_their_nested_events_linked()
    {
        var integration = await CreateCaseIntegrationAsync();
        var key = await Admin.CreateKeyAsync(integration, intake: "Incident");
        var body = new
        {
            cases = new object[]
            {
                new
                {
                    id = "C-1", title = "Ransomware on finance", severity = "critical", category = "Malware", assignee = "alice", link = "https://cases/1",
                    alerts = new object[] { new Dictionary<string, object> { ["device"] = new Dictionary<string, string> { ["host name"] = "fin-01" } }, new Dictionary<string, object> { ["device"] = new Dictionary<string, string> { ["host name"] = "fin-02" } } },
                },
                new { id = "C-2", title = "Odd login", severity = "P3", alerts = new { device = new { } } },
            },
        };

        var result = await Admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite, body, key.Value, "CreateIncidents");

        var incidents = result["incidents"]!.AsArray();
        Assert.Equal(2, incidents.Count);
        var first = incidents[0]!;
        Assert.Equal("Ransomware on finance", first["title"]!.GetValue<string>());
        Assert.Equal("Critical", first["severity"]!.GetValue<string>());
        Assert.Equal("Malware", first["incidentType"]!.GetValue<string>());
        Assert.Equal("alice", first["owner"]!.GetValue<string>());
        Assert.Equal("C-1", first["externalId"]!.GetValue<string>());
        Assert.Equal("https://cases/1", first["dynamicFields"]!["Custom Fields"]!["Case URL"]!.GetValue<string>());
        Assert.Matches("^\\d{8}-\\d+$", first["number"]!.GetValue<string>());
        Assert.Equal("Open", first["status"]!.GetValue<string>());
        Assert.Equal(2, first["eventIds"]!.AsArray().Count);
        Assert.Equal("Medium", incidents[1]!["severity"]!.GetValue<string>());
        Assert.Contains(result["errors"]!.AsArray(), e => e!["message"]!.GetValue<string>().Contains("P3"));

        Assert.Equal(3, result["events"]!.AsArray().Count);
        var eventId = first["eventIds"]![0]!.GetValue<long>();
        var evt = await Admin.GetAsync($"/api/events/{eventId}");
        Assert.Equal("fin-01", evt["fields"]!["Hostname"]!.GetValue<string>());
        Assert.Equal([first["id"]!.GetValue<long>()], evt["incidentIds"]!.AsArray().Select(i => i!.GetValue<long>()));

        var incident = await Admin.GetAsync($"/api/incidents/{first["id"]}");
        Assert.Equal("C-1", incident["raw"]!["id"]!.GetValue<string>());
        var listed = await Admin.GetAsync($"/api/incidents?integration={Uri.EscapeDataString(integration)}");
        Assert.Equal(2, listed["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_single_incident_object_without_events_is_one_incident_with_defaults()
    {
        var integration = await Admin.CreateIntegrationAsync(incidentIntake: new { mainJsonPath = "$" });
        var key = await Admin.CreateKeyAsync(integration, intake: "Incident");

        var result = await Admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite, new { anything = true }, key.Value, "CreateIncidents");

        var incident = Assert.Single(result["incidents"]!.AsArray())!;
        Assert.Equal("General", incident["incidentType"]!.GetValue<string>());
        Assert.Equal($"{integration} incident", incident["title"]!.GetValue<string>());
        Assert.Equal("Open", incident["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_incident_key_requires_an_integration_with_incident_intake()
    {
        var integration = await Admin.CreateIntegrationAsync();

        var problem = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/keys",
            new { name = "k", module = "DataIngestion", method = "ApiKey", site = GatehouseClient.DefaultSite, integration, intake = "Incident" }),
            HttpStatusCode.BadRequest, "validation_failed");

        Assert.Contains("no incident intake", problem["Error"]!.GetValue<string>());
    }
}

public sealed class IncidentIntakeTestsOnSqlite(SqliteFixture fixture) : IncidentIntakeTests(fixture), IClassFixture<SqliteFixture>;

public sealed class IncidentIntakeTestsOnPostgres(PostgresFixture fixture) : IncidentIntakeTests(fixture), IClassFixture<PostgresFixture>;
