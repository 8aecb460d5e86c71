using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Intake;

/// <summary>Data formatters and deduplication, through the webhook.</summary>
public abstract class PipelineTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;
    private const string Site = GatehouseClient.DefaultSite;

    private async Task<string> FormatterAsync(string script)
    {
        var name = Unique.Name("Formatter");
        await Admin.PostAsync("/api/commands", new { name, script, features = new[] { "DataFormatter" } });
        return name;
    }

    private async Task<(string Integration, string Key)> KeyWithFormatterAsync(string? formatter, object? eventIntake = null, string site = Site)
    {
        var integration = await Admin.CreateIntegrationAsync(eventIntake ?? new
        {
            mainJsonPath = "$.items",
            fieldMappings = new object[] { new { field = "Title", source = "$.title" }, new { field = "External ID", source = "$.id" }, new { field = "Hostname", source = "$.host" } },
        });
        var view = await Admin.PostAsync("/api/keys", new { name = Unique.Name("Key"), module = "DataIngestion", site, integration, intake = "Event", dataFormatter = formatter });
        return (integration, (await Admin.GetAsync($"/api/keys/{view["id"]}/secret"))["headerValue"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_formatter_reshapes_events_and_drops_those_it_returns_null_for()
    {
        var formatter = await FormatterAsync("""
            function format(event, context) {
              if (event.noise) { return null; }
              return { title: event.name.toUpperCase() + ' @ ' + context.site, host: event.device.hostname };
            }
            """);
        var (integration, key) = await KeyWithFormatterAsync(formatter);

        var result = await Admin.SendAndWaitAsync(integration, Site, new
        {
            items = new object[]
            {
                new { name = "ransomware", device = new { hostname = "fin-01" } },
                new { name = "heartbeat", noise = true, device = new { hostname = "x" } },
            },
        }, key);

        var evt = Assert.Single(result["events"]!.AsArray())!;
        Assert.Equal($"RANSOMWARE @ {Site}", evt["fields"]!["Title"]!.GetValue<string>());
        Assert.Equal("fin-01", evt["fields"]!["Hostname"]!.GetValue<string>());
        Assert.Equal(["event 1"], result["dropped"]!.AsArray().Select(d => d!.GetValue<string>()));
        var log = await Admin.GetAsync($"/api/ingestions/{result["refid"]}");
        Assert.Equal(formatter, log["formatter"]!.GetValue<string>());
        Assert.Equal(["applied", "dropped"], log["steps"]!.AsArray().Select(s => s!["formatter"]!.GetValue<string>()));
        Assert.Equal("ransomware", log["rawData"]![0]!["name"]!.GetValue<string>());
        Assert.Equal($"RANSOMWARE @ {Site}", (await Admin.GetAsync($"/api/events/{evt["id"]}"))["raw"]!["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_formatter_that_fails_on_one_event_fails_only_that_event()
    {
        var formatter = await FormatterAsync("""
            function format(event) {
              if (event.kind === 'throw') { throw new Error('cannot read this one'); }
              if (event.kind === 'loop') { while (true) {} }
              if (event.kind === 'text') { return 'not an object'; }
              return { title: event.kind };
            }
            """);
        var (integration, key) = await KeyWithFormatterAsync(formatter);

        var result = await Admin.SendAndWaitAsync(integration, Site, new
        {
            items = new[] { new { kind = "ok-1" }, new { kind = "throw" }, new { kind = "loop" }, new { kind = "text" }, new { kind = "ok-2" } },
        }, key);

        Assert.Equal(["ok-1", "ok-2"], result["events"]!.AsArray().Select(e => e!["fields"]!["Title"]!.GetValue<string>()));
        var errors = result["errors"]!.AsArray();
        Assert.Equal(["event 1", "event 2", "event 3"], errors.Select(e => e!["item"]!.GetValue<string>()));
        Assert.Contains("cannot read this one", errors[0]!["message"]!.GetValue<string>());
        Assert.Contains("stopped", errors[1]!["message"]!.GetValue<string>());
        Assert.Contains("not an event object", errors[2]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Only_formatter_commands_can_be_a_keys_formatter()
    {
        var integration = await Admin.CreateIntegrationAsync();
        var plain = Unique.Name("Plain");
        await Admin.PostAsync("/api/commands", new { name = plain, script = "function main() { return 1; }" });

        foreach (var formatter in new[] { plain, "GetEvents", "No such command" })
        {
            var problem = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/keys",
                new { name = Unique.Name("k"), module = "DataIngestion", site = Site, integration, intake = "Event", dataFormatter = formatter }), HttpStatusCode.BadRequest);
            Assert.Contains("Data Formatter feature", problem["Error"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task An_event_with_an_already_ingested_external_id_is_linked_not_created_again()
    {
        var (integration, key) = await KeyWithFormatterAsync(null);
        var otherSite = await Admin.CreateSiteAsync();
        var otherKey = await Admin.CreateKeyAsync(integration, otherSite);
        var externalId = Guid.NewGuid().ToString("N");

        var first = await Admin.SendAndWaitAsync(integration, Site, new { items = new[] { new { id = externalId, title = "first" } } }, key);
        var again = await Admin.SendAndWaitAsync(integration, Site, new { items = new[] { new { id = externalId, title = "again" }, new { id = externalId, title = "and again" } } }, key);
        var elsewhere = await Admin.SendAndWaitAsync(integration, otherSite, new { items = new[] { new { id = externalId, title = "other site" } } }, otherKey.Value);

        var firstId = Assert.Single(first["events"]!.AsArray())!["id"]!.GetValue<long>();
        Assert.Empty(again["events"]!.AsArray());
        var duplicates = again["deduplicated"]!.AsArray();
        Assert.Equal(2, duplicates.Count);
        Assert.All(duplicates, d => Assert.Equal(firstId, d!["eventId"]!.GetValue<long>()));
        Assert.Single(elsewhere["events"]!.AsArray());
        var steps = (await Admin.GetAsync($"/api/ingestions/{again["refid"]}"))["steps"]!.AsArray();
        Assert.Equal([$"event {firstId}", $"event {firstId}"], steps.Select(s => s!["deduplicated"]!.GetValue<string>()));
        Assert.Equal("first", (await Admin.GetAsync($"/api/events/{firstId}"))["fields"]!["Title"]!.GetValue<string>());
    }

    [Fact]
    public async Task Duplicates_within_one_request_become_one_event()
    {
        var (integration, key) = await KeyWithFormatterAsync(null);
        var externalId = Guid.NewGuid().ToString("N");

        var result = await Admin.SendAndWaitAsync(integration, Site, new { items = new object[] { new { id = externalId, title = "a" }, new { id = externalId, title = "b" }, new { title = "no id" } } }, key);

        Assert.Equal(["a", "no id"], result["events"]!.AsArray().Select(e => e!["fields"]!["Title"]!.GetValue<string>()));
        Assert.Equal("event 0", Assert.Single(result["deduplicated"]!.AsArray())!["sameAsItem"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_incidents_events_already_ingested_are_linked_to_the_new_incident()
    {
        var externalId = Guid.NewGuid().ToString("N");
        var integration = await Admin.CreateIntegrationAsync(
            new { mainJsonPath = "$", fieldMappings = new[] { new { field = "External ID", source = "$.id" } } },
            new { mainJsonPath = "$", eventsJsonPath = "$.alerts" });
        var eventKey = await Admin.CreateKeyAsync(integration);
        var incidentKey = await Admin.CreateKeyAsync(integration, intake: "Incident");
        var existing = (await Admin.SendAndWaitAsync(integration, Site, new { id = externalId }, eventKey.Value))["events"]![0]!["id"]!.GetValue<long>();

        var result = await Admin.SendAndWaitAsync(integration, Site, new { alerts = new object[] { new { id = externalId }, new { id = "new-" + externalId } } }, incidentKey.Value, "CreateIncidents");

        var incident = Assert.Single(result["incidents"]!.AsArray())!;
        var linked = incident["eventIds"]!.AsArray().Select(e => e!.GetValue<long>()).ToList();
        Assert.Equal(2, linked.Count);
        Assert.Contains(existing, linked);
        Assert.Equal(existing, Assert.Single(result["deduplicated"]!.AsArray())!["eventId"]!.GetValue<long>());
    }

    [Fact]
    public async Task An_incident_whose_events_repeat_an_external_id_links_that_event_once()
    {
        var externalId = Guid.NewGuid().ToString("N");
        var integration = await Admin.CreateIntegrationAsync(
            new { mainJsonPath = "$", fieldMappings = new[] { new { field = "External ID", source = "$.id" } } },
            new { mainJsonPath = "$", eventsJsonPath = "$.alerts" });
        var incidentKey = await Admin.CreateKeyAsync(integration, intake: "Incident");

        var result = await Admin.SendAndWaitAsync(integration, Site, new { alerts = new[] { new { id = externalId }, new { id = externalId } } }, incidentKey.Value, "CreateIncidents");

        Assert.Equal("Processed", result["status"]!.GetValue<string>());
        var incident = Assert.Single(result["incidents"]!.AsArray())!;
        Assert.Single(incident["eventIds"]!.AsArray());
        Assert.Single(result["events"]!.AsArray());
    }
}

public sealed class PipelineTestsOnSqlite(SqliteFixture fixture) : PipelineTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PipelineTestsOnPostgres(PostgresFixture fixture) : PipelineTests(fixture), IClassFixture<PostgresFixture>;
