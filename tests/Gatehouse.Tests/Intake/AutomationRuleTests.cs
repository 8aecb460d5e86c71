using System.Net;
using System.Net.Http.Json;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Intake;

/// <summary>Event automation rules applied to ingested events.</summary>
public abstract class AutomationRuleTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;

    private async Task<(string Integration, string Key)> RuleKeyAsync(string site)
    {
        var integration = await Admin.CreateIntegrationAsync(new
        {
            mainJsonPath = "$[*]",
            fieldMappings = new object[] { new { field = "Title", source = "$.title" }, new { field = "Severity", source = "$.sev" }, new { field = "Source IP", source = "$.ip" } },
        }, new { mainJsonPath = "$", eventsJsonPath = "$.alerts" });
        var view = await Admin.PostAsync("/api/keys", new { name = Unique.Name("Rules"), module = "DataIngestion", site, integration, intake = "Event", runEventAutomationRules = true });
        return (integration, (await Admin.GetAsync($"/api/keys/{view["id"]}/secret"))["headerValue"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_rule_is_tried_on_a_stored_event_as_intake_would_run_it_and_nothing_is_written()
    {
        var site = await Admin.CreateSiteAsync();
        var (integration, key) = await RuleKeyAsync(site);
        var result = await Admin.SendAndWaitAsync(integration, site, new object[] { new { title = "Web shell", sev = "high", ip = "203.0.113.7", detector = "EDR" } }, key);
        var eventId = result["events"]![0]!["id"]!.GetValue<long>();
        object Rule(string value) => new
        {
            name = "High severity", type = "Escalation", site,
            condition = new { all = new object[] { new { field = "Severity", @operator = "equals", value }, new { field = "$.detector", @operator = "exists" } } },
            escalation = new { incidentType = "Intrusion", title = "{{$.title}} from {{Source IP}}" },
        };

        var matched = await Admin.PostAsync("/api/automation-rules/test", new { rule = Rule("HIGH"), eventId }, HttpStatusCode.OK);
        Assert.True(matched["matches"]!.GetValue<bool>());
        Assert.Equal("Web shell from 203.0.113.7", matched["decision"]!["incident"]!["title"]!.GetValue<string>());
        var missed = await Admin.PostAsync("/api/automation-rules/test", new { rule = Rule("low"), eventId }, HttpStatusCode.OK);
        Assert.False(missed["matches"]!.GetValue<bool>());
        Assert.Null(missed["decision"]);

        var refused = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/automation-rules/test",
            new { rule = new { name = "x", type = "Dismissal", site, condition = new { field = "Severity", @operator = "sameAs", value = "x" } }, eventId }), HttpStatusCode.BadRequest);
        Assert.Contains("'sameAs' is not an operator", refused.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/automation-rules/test", new { rule = Rule("high"), eventId = 999_999_999 }), HttpStatusCode.NotFound);
        var analyst = await Admin.CreateAnalystAsync(fixture.Factory, site);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.Http.PostAsJsonAsync("/api/automation-rules/test", new { rule = Rule("high"), eventId })).StatusCode);

        var elsewhere = await Admin.CreateSiteAsync();
        var otherSite = await Admin.PostAsync("/api/automation-rules/test", new
        {
            rule = new { name = "High severity", type = "Escalation", site = elsewhere, condition = new { field = "Severity", @operator = "equals", value = "high" }, escalation = new { incidentType = "Intrusion" } },
            eventId,
        }, HttpStatusCode.OK);
        Assert.False(otherSite["matches"]!.GetValue<bool>()); // the condition holds, but intake would never run this rule on that event
        Assert.Equal($"The rule applies to the site '{elsewhere}'; event {eventId} is on the Internal site '{site}', so intake would not run it there.",
            otherSite["notApplied"]!.GetValue<string>());
        Assert.Null(matched["notApplied"]);

        var stored = await Admin.GetAsync($"/api/events/{eventId}");
        Assert.Equal("New", stored["status"]!.GetValue<string>());
        Assert.Empty(stored["incidentIds"]!.AsArray());
        Assert.DoesNotContain((await Admin.GetAsync("/api/automation-rules")).AsArray(), r => r!["site"]?.GetValue<string>() == site);
    }

    [Fact]
    public async Task The_first_matching_rule_dismisses_or_escalates_each_event()
    {
        var site = await Admin.CreateSiteAsync();
        await Admin.PostAsync("/api/automation-rules", new
        {
            name = "Scanner noise", order = 1, type = "Dismissal", site,
            condition = new { all = new object[] { new { field = "Source IP", @operator = "cidr", value = "10.99.0.0/16" }, new { field = "Severity", @operator = "in", value = new[] { "Low", "Informational" } } } },
            dismissal = new { reasonCode = "SCANNER", reason = "Internal vulnerability scanner" },
        });
        await Admin.PostAsync("/api/automation-rules", new
        {
            name = "High severity", order = 2, type = "Escalation", site,
            condition = new { field = "Severity", @operator = "equals", value = "high" },
            escalation = new { incidentType = "Intrusion", title = "{{$.title}} from {{Source IP}}", description = "Raised by {{['detector']}}", owner = "tier2" },
        });
        var (integration, key) = await RuleKeyAsync(site);

        var result = await Admin.SendAndWaitAsync(integration, site, new object[]
        {
            new { title = "Port scan", sev = "low", ip = "10.99.1.2" },
            new { title = "Web shell", sev = "high", ip = "203.0.113.7", detector = "EDR" },
            new { title = "Odd login", sev = "medium", ip = "198.51.100.4" },
        }, key);

        var events = result["events"]!.AsArray();
        Assert.Equal(["Dismissed", "Escalated", "New"], events.Select(e => e!["status"]!.GetValue<string>()));
        Assert.Equal("Scanner noise", events[0]!["automation"]!["ruleName"]!.GetValue<string>());
        var incident = Assert.Single(result["incidents"]!.AsArray())!;
        Assert.Equal("Web shell from 203.0.113.7", incident["title"]!.GetValue<string>());
        Assert.Equal("Raised by EDR", incident["description"]!.GetValue<string>());
        Assert.Equal("High", incident["severity"]!.GetValue<string>());
        Assert.Equal("tier2", incident["owner"]!.GetValue<string>());
        Assert.Equal([events[1]!["id"]!.GetValue<long>()], incident["eventIds"]!.AsArray().Select(e => e!.GetValue<long>()));
        Assert.Null(events[2]!["automation"]);
        var steps = (await Admin.GetAsync($"/api/ingestions/{result["refid"]}"))["steps"]!.AsArray();
        Assert.Equal(["Scanner noise", "High severity", "no rule matched"], steps.Select(s => s!["rule"]!.GetValue<string>()));
        Assert.Equal("Dismissal", steps[0]!["decision"]!.GetValue<string>());
        Assert.All(steps, s => Assert.True(s!["created"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task Cross_internal_site_rules_apply_on_internal_sites_only_and_incident_intake_is_untouched()
    {
        var internalSite = await Admin.CreateSiteAsync("Internal");
        var clientSite = await Admin.CreateSiteAsync("Client");
        var marker = Guid.NewGuid().ToString("N");
        await Admin.PostAsync("/api/automation-rules", new
        {
            name = "Everywhere inside", type = "Dismissal", scope = "AllInternalSites",
            condition = new { field = "Title", @operator = "equals", value = marker },
        });
        var (integration, internalKey) = await RuleKeyAsync(internalSite);
        var clientView = await Admin.PostAsync("/api/keys", new { name = Unique.Name("Client"), module = "DataIngestion", site = clientSite, integration, intake = "Event", runEventAutomationRules = true });
        var clientKey = (await Admin.GetAsync($"/api/keys/{clientView["id"]}/secret"))["headerValue"]!.GetValue<string>();
        var incidentKey = await Admin.CreateKeyAsync(integration, internalSite, intake: "Incident");

        var inside = await Admin.SendAndWaitAsync(integration, internalSite, new[] { new { title = marker } }, internalKey);
        var client = await Admin.SendAndWaitAsync(integration, clientSite, new[] { new { title = marker } }, clientKey);
        var incident = await Admin.SendAndWaitAsync(integration, internalSite, new { alerts = new[] { new { title = marker } } }, incidentKey.Value, "CreateIncidents");

        Assert.Equal("Dismissed", inside["events"]![0]!["status"]!.GetValue<string>());
        Assert.Equal("New", client["events"]![0]!["status"]!.GetValue<string>());
        Assert.Equal("New", incident["events"]![0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Rules_are_validated_when_saved()
    {
        var problem = await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/automation-rules", new
        {
            name = "Broken", type = "Escalation", site = GatehouseClient.DefaultSite,
            condition = new { any = new object[] { new { field = "x", @operator = "matches", value = "y" }, new { field = "Source IP", @operator = "cidr", value = "not-a-range" }, new { field = "x", @operator = "regex", value = "([" } } },
            escalation = new { title = "{{$.[}}", severity = "Apocalyptic" },
        }), HttpStatusCode.BadRequest, "validation_failed");

        Assert.Equal(6, problem["errors"]!.AsArray().Count);
        await GatehouseClient.Problem(await Admin.Http.PostAsJsonAsync("/api/automation-rules", new { name = "x", type = "Dismissal", site = "Nowhere", condition = new { field = "a", @operator = "exists" } }), HttpStatusCode.BadRequest);
        var analyst = await Admin.CreateAnalystAsync(fixture.Factory, GatehouseClient.DefaultSite);
        await GatehouseClient.Problem(await analyst.Http.PostAsJsonAsync("/api/automation-rules", new { name = "x" }), HttpStatusCode.Forbidden);
    }
}

public sealed class AutomationRuleTestsOnSqlite(SqliteFixture fixture) : AutomationRuleTests(fixture), IClassFixture<SqliteFixture>;

public sealed class AutomationRuleTestsOnPostgres(PostgresFixture fixture) : AutomationRuleTests(fixture), IClassFixture<PostgresFixture>;
