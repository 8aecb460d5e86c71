using System.Net;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Intake;

public abstract class EventIntakeTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;

    private static readonly object KibanaIntake = new
    {
        mainJsonPath = "$.hits.hits",
        fieldMappings = new object[]
        {
            new { field = "Title", source = "$._source.rawData.rule.name" },
            new { field = "Event Type", source = "$._source['event.type']" },
            new { field = "Severity", source = "$._source['kibana.alert.severity']" },
            new { field = "Source IP", source = "$._source.rawData.source.ip" },
            new { field = "Rule ID", source = "$._source.rawData.rule.id" },
        },
    };

    [Fact]
    public async Task Kibana_connector_request_is_accepted_as_sent_and_answered_with_a_string_refid()
    {
        var integration = await Admin.CreateIntegrationAsync(KibanaIntake);
        var key = await Admin.CreateKeyAsync(integration);
        // Exactly what Kibana's D3 Security connector posts: hits.hits is an object, not an array.
        const string body = """
            {"hits":{"hits":{"_source":{"rawData":{"rule":{"name":"Malware Detected","id":"r-1"},"source":{"ip":"10.1.2.3"}},"event.type":"alert","kibana.alert.severity":"critical"}}}}
            """;

        var response = await Admin.SendAsync(integration, GatehouseClient.DefaultSite, body, key.Value);

        var accepted = await GatehouseClient.Json(response, HttpStatusCode.Accepted);
        var refid = accepted["refid"]!.GetValue<string>();
        Assert.False(string.IsNullOrWhiteSpace(refid));
        Assert.Equal("Accepted", accepted["status"]!.GetValue<string>());
        Assert.Equal($"/api/ingestions/{refid}", response.Headers.Location?.ToString());

        var log = await WaitProcessedAsync(refid);
        var eventId = log["events"]![0]!["id"]!.GetValue<long>();
        var evt = await Admin.GetAsync($"/api/events/{eventId}");
        Assert.Equal("Malware Detected", evt["fields"]!["Title"]!.GetValue<string>());
        Assert.Equal("alert", evt["fields"]!["Event Type"]!.GetValue<string>());
        Assert.Equal("Critical", evt["fields"]!["Severity"]!.GetValue<string>());
        Assert.Equal("10.1.2.3", evt["fields"]!["Source IP"]!.GetValue<string>());
        Assert.Equal("r-1", evt["customFields"]!["Rule ID"]!.GetValue<string>());
        Assert.Equal("Malware Detected", evt["raw"]!["_source"]!["rawData"]!["rule"]!["name"]!.GetValue<string>());
        Assert.Equal("New", evt["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_array_of_events_becomes_one_event_each_with_the_ingestion_log()
    {
        var integration = await Admin.CreateIntegrationAsync(new
        {
            mainJsonPath = "$.alerts",
            fieldMappings = new object[] { new { field = "Title", source = "$.name" }, new { field = "External ID", source = "$.id" } },
        });
        var key = await Admin.CreateKeyAsync(integration);

        var result = await Admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite,
            new { alerts = new object[] { new { id = 1, name = "one" }, new { id = 2, name = "two" }, "not an object" } }, key.Value);

        Assert.Equal("Processed", result["status"]!.GetValue<string>());
        Assert.Equal(["one", "two"], result["events"]!.AsArray().Select(e => e!["fields"]!["Title"]!.GetValue<string>()));
        Assert.Equal(["1", "2"], result["events"]!.AsArray().Select(e => e!["fields"]!["External ID"]!.GetValue<string>()));
        var error = Assert.Single(result["errors"]!.AsArray());
        Assert.Equal("event 2", error!["item"]!.GetValue<string>());

        var log = await Admin.GetAsync($"/api/ingestions/{result["refid"]}");
        Assert.Equal(3, log["input"]!["alerts"]!.AsArray().Count);
        Assert.Equal(2, log["rawData"]!.AsArray().Count);
        Assert.Equal("two", log["output"]![1]!["fields"]!["Title"]!.GetValue<string>());
        Assert.Equal(2, log["events"]!.AsArray().Count);
        Assert.Empty(log["incidents"]!.AsArray());
        Assert.Single(log["errors"]!.AsArray());
    }

    [Fact]
    public async Task A_single_object_body_with_the_root_path_is_one_event()
    {
        var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Hostname", source = "$.host.name" } } });
        var key = await Admin.CreateKeyAsync(integration);

        var result = await Admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite, new { host = new { name = "ws-01" } }, key.Value);

        Assert.Equal("ws-01", Assert.Single(result["events"]!.AsArray())!["fields"]!["Hostname"]!.GetValue<string>());
    }

    [Fact]
    public async Task Integration_and_site_names_with_spaces_match_url_encoded_and_case_insensitively()
    {
        var site = await Admin.CreateSiteAsync("Internal", Unique.Name("Blue Team Site"));
        var integration = await Admin.CreateIntegrationAsync(name: Unique.Name("Microsoft Sentinel"));
        var key = await Admin.CreateKeyAsync(integration, site);

        var response = await Admin.SendAsync(integration.ToUpperInvariant(), site.ToLowerInvariant(), new { a = 1 }, key.Value, "createevents", "?wait=10");

        var result = await GatehouseClient.Json(response, HttpStatusCode.OK);
        Assert.Equal(site, result["events"]![0]!["site"]!.GetValue<string>());
        var url = key.View["requestUrls"]![0]!["url"]!.GetValue<string>();
        Assert.EndsWith($"/VSOC/api/Data/{Uri.EscapeDataString(integration)}/{Uri.EscapeDataString(site)}/CreateEvents", url);
        Assert.Contains("%20", url);
    }

    [Fact]
    public async Task Prefer_wait_header_answers_with_the_processing_result()
    {
        var integration = await Admin.CreateIntegrationAsync();
        var key = await Admin.CreateKeyAsync(integration);

        var response = await Admin.SendAsync(integration, GatehouseClient.DefaultSite, new { x = 1 }, key.Value,
            configure: r => r.Headers.TryAddWithoutValidation("Prefer", "wait=10"));

        var result = await GatehouseClient.Json(response, HttpStatusCode.OK);
        Assert.Single(result["events"]!.AsArray());
    }

    [Fact]
    public async Task Without_wait_the_answer_is_202_and_processing_follows()
    {
        var integration = await Admin.CreateIntegrationAsync();
        var key = await Admin.CreateKeyAsync(integration);

        var accepted = await GatehouseClient.Json(await Admin.SendAsync(integration, GatehouseClient.DefaultSite, new { x = 1 }, key.Value), HttpStatusCode.Accepted);

        var log = await WaitProcessedAsync(accepted["refid"]!.GetValue<string>());
        Assert.Single(log["events"]!.AsArray());
    }

    [Fact]
    public async Task A_repeated_idempotency_key_returns_the_first_refid_and_creates_nothing_more()
    {
        var integration = await Admin.CreateIntegrationAsync();
        var key = await Admin.CreateKeyAsync(integration);
        var idempotency = Guid.NewGuid().ToString();
        void WithKey(HttpRequestMessage request) => request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotency);

        var first = await GatehouseClient.Json(await Admin.SendAsync(integration, GatehouseClient.DefaultSite, new { n = 1 }, key.Value, configure: WithKey), HttpStatusCode.Accepted);
        var second = await GatehouseClient.Json(await Admin.SendAsync(integration, GatehouseClient.DefaultSite, new { n = 1 }, key.Value, configure: WithKey), HttpStatusCode.Accepted);
        var other = await GatehouseClient.Json(await Admin.SendAsync(integration, GatehouseClient.DefaultSite, new { n = 1 }, key.Value), HttpStatusCode.Accepted);

        Assert.Equal(first["refid"]!.GetValue<string>(), second["refid"]!.GetValue<string>());
        Assert.NotEqual(first["refid"]!.GetValue<string>(), other["refid"]!.GetValue<string>());
        await WaitProcessedAsync(first["refid"]!.GetValue<string>());
        await WaitProcessedAsync(other["refid"]!.GetValue<string>());
        var events = await Admin.GetAsync($"/api/events?integration={Uri.EscapeDataString(integration)}");
        Assert.Equal(2, events["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Concurrent_repeats_of_one_idempotency_key_all_get_the_same_refid()
    {
        var integration = await Admin.CreateIntegrationAsync();
        var key = await Admin.CreateKeyAsync(integration);
        var idempotency = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Admin.SendAsync(integration, GatehouseClient.DefaultSite, new { n = 1 }, key.Value,
            configure: r => r.Headers.TryAddWithoutValidation("Idempotency-Key", idempotency))));

        var refids = new HashSet<string>();
        foreach (var response in responses)
        {
            refids.Add((await GatehouseClient.Json(response, HttpStatusCode.Accepted))["refid"]!.GetValue<string>());
        }
        Assert.Single(refids);
    }

    [Fact]
    public async Task Events_list_filters_by_site_status_integration_and_time_and_pages()
    {
        var site = await Admin.CreateSiteAsync();
        var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$[*]" });
        var key = await Admin.CreateKeyAsync(integration, site);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await Admin.SendAndWaitAsync(integration, site, new object[] { new { n = 1 }, new { n = 2 }, new { n = 3 } }, key.Value);
        var query = $"/api/events?site={Uri.EscapeDataString(site)}&integration={Uri.EscapeDataString(integration)}";

        var all = await Admin.GetAsync(query);
        var page = await Admin.GetAsync($"{query}&pageSize=2&page=2");
        var newOnes = await Admin.GetAsync($"{query}&status=new");
        var dismissed = await Admin.GetAsync($"{query}&status=Dismissed");
        var fromBefore = await Admin.GetAsync($"{query}&from={Uri.EscapeDataString(before.ToString("O"))}");
        var toBefore = await Admin.GetAsync($"{query}&to={Uri.EscapeDataString(before.ToString("O"))}");

        Assert.Equal(3, all["total"]!.GetValue<int>());
        Assert.Single(page["items"]!.AsArray());
        Assert.Equal(3, newOnes["total"]!.GetValue<int>());
        Assert.Equal(0, dismissed["total"]!.GetValue<int>());
        Assert.Equal(3, fromBefore["total"]!.GetValue<int>());
        Assert.Equal(0, toBefore["total"]!.GetValue<int>());
        await GatehouseClient.Problem(await Admin.Http.GetAsync($"{query}&status=Bogus"), HttpStatusCode.BadRequest, "validation_failed");
        await GatehouseClient.Problem(await Admin.Http.GetAsync($"{query}&pageSize=0"), HttpStatusCode.BadRequest, "validation_failed");
        await GatehouseClient.Problem(await Admin.Http.GetAsync($"{query}&from=yesterday"), HttpStatusCode.BadRequest);
    }

    private async Task<JsonNode> WaitProcessedAsync(string refid)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var log = await Admin.GetAsync($"/api/ingestions/{refid}");
            if (log["status"]!.GetValue<string>() == "Processed")
            {
                return log;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Ingestion {refid} was not processed within 10 s.");
    }
}

public abstract class DeepEventTests(GatehouseFixture fixture)
{
    [Fact]
    public async Task An_event_nested_to_the_depth_limit_can_be_read_back_everywhere()
    {
        var admin = fixture.Admin;
        var integration = await admin.CreateIntegrationAsync();
        var key = await admin.CreateKeyAsync(integration);
        var body = string.Concat(Enumerable.Repeat("{\"a\":", 63)) + "1" + new string('}', 63);

        var result = await GatehouseClient.Json(await admin.SendAsync(integration, GatehouseClient.DefaultSite, body, key.Value, query: "?wait=10"), HttpStatusCode.OK);
        Assert.True(result["events"]!.AsArray().Count == 1, result.ToJsonString());
        var id = result["events"]![0]!["id"]!.GetValue<long>();

        await admin.GetAsync($"/api/events/{id}");
        await admin.GetAsync($"/api/ingestions/{result["refid"]}");
        await admin.GetAsync("/api/events");
    }
}

public sealed class EventIntakeTestsOnSqlite(SqliteFixture fixture) : EventIntakeTests(fixture), IClassFixture<SqliteFixture>;

public sealed class EventIntakeTestsOnPostgres(PostgresFixture fixture) : EventIntakeTests(fixture), IClassFixture<PostgresFixture>;

public sealed class DeepEventTestsOnSqlite(SqliteFixture fixture) : DeepEventTests(fixture), IClassFixture<SqliteFixture>;

public sealed class DeepEventTestsOnPostgres(PostgresFixture fixture) : DeepEventTests(fixture), IClassFixture<PostgresFixture>;
