// Compiled by GeneratedClientTests together with the client NSwag generates from /openapi/v1.json, never by the test
// project: every type and method below is the generated client's. It is the README's five-minute walk-through, step
// by step, as a C# user of the generated client would write it.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Threading.Tasks;

namespace Generated;

public static class Walkthrough
{
    private const string Site = "Security Operations";

    public static async Task<List<string>> RunAsync(Func<HttpClient> newHttpClient, string baseUrl, string password)
    {
        var said = new List<string>();

        // 1. Log in.
        var http = newHttpClient();
        var api = new GatehouseApi(http) { BaseUrl = baseUrl };
        var token = await api.SignInAsync(new TokenRequest { Username = "admin", Password = password });
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        var me = await api.GetCurrentUserAsync();
        Expect(me.Username == "admin" && !token.MustChangePassword, $"signed in as {me.Username}");
        said.Add($"1. signed in as {me.Username} ({token.Role})");

        // 2. Describe an integration.
        var integration = await api.CreateIntegrationAsync(new IntegrationRequest
        {
            Name = "Kibana",
            EventIntake = new IntakeRequest
            {
                MainJsonPath = "$.hits.hits",
                FieldMappings =
                [
                    new FieldMappingRow { Field = "Title", Source = "$._source.rawData.rule.name" },
                    new FieldMappingRow { Field = "Event Type", Source = "$._source[\"event.type\"]" },
                    new FieldMappingRow { Field = "Severity", Source = "$._source[\"kibana.alert.severity\"]" },
                    new FieldMappingRow { Field = "Source IP", Source = "$._source.rawData.source.ip" },
                ],
            },
        });
        said.Add($"2. integration {integration.Name} ({integration.EventIntake.FieldMappings.Count} mappings)");

        // A refusal is a Problem the client reads: the same name again.
        try
        {
            await api.CreateIntegrationAsync(new IntegrationRequest { Name = "Kibana" });
            throw new InvalidOperationException("A second integration named Kibana was accepted.");
        }
        catch (ApiException<Problem> refused)
        {
            Expect(refused.StatusCode == 409 && !string.IsNullOrEmpty(refused.Result.Code), $"a duplicate answered {refused.StatusCode} {refused.Result.Code}");
            said.Add($"2. a second Kibana: {refused.StatusCode} {refused.Result.Code}");
        }

        // 3. Create a webhook key and read its value.
        var key = await api.CreateKeyAsync(new KeyRequest
        {
            Name = "Kibana alerts", Module = KeyModule.DataIngestion, Method = KeyMethod.ApiKey,
            Site = Site, Integration = "Kibana", Intake = IntakeKind.Event,
        });
        var secret = await api.RevealKeySecretAsync(key.Id);
        var view = await api.GetKeyAsync(key.Id);
        var url = view.RequestUrls.Single(u => u.Site == Site).Url;
        Expect(url.EndsWith("/VSOC/api/Data/Kibana/Security%20Operations/CreateEvents", StringComparison.Ordinal), $"request URL {url}");
        said.Add($"3. key {key.Id} '{view.Name}', header {view.RequestHeaderKey}, URL {url}");

        // 4. Send an event as Kibana's connector does, with the key's header.
        var senderHttp = newHttpClient();
        senderHttp.DefaultRequestHeaders.Add(view.RequestHeaderKey, secret.HeaderValue);
        var sender = new GatehouseApi(senderHttp) { BaseUrl = baseUrl };
        var accepted = await sender.PushEventsAsync("Kibana", Site, body: JsonNode.Parse(
            """{"hits":{"hits":{"_source":{"rawData":{"rule":{"name":"Malware Detected"},"source":{"ip":"10.1.2.3"}},"event.type":"alert","kibana.alert.severity":"high"}}}}"""));
        Expect(accepted.Status == "Accepted" && accepted.Refid.Length > 0, $"intake answered {accepted.Status}");
        said.Add($"4. sent: {accepted.Status} {accepted.Refid}");

        // 5. See it (processing takes a moment after the 202).
        EventView? seen = null;
        for (var attempt = 0; attempt < 100 && seen is null; attempt++)
        {
            var page = await api.ListEventsAsync(site: Site);
            seen = page.Items.FirstOrDefault(e => e.IngestionId == accepted.Refid);
            if (seen is null)
            {
                await Task.Delay(100);
            }
        }
        Expect(seen is not null, "the event was not listed within 10 s");
        Expect(seen!.Fields["Title"] == "Malware Detected" && seen.Fields["Severity"] == "High" && seen.Fields["Source IP"] == "10.1.2.3",
            "mapped fields " + string.Join(", ", seen.Fields.Select(f => $"{f.Key}={f.Value}")));
        var log = await api.GetIngestionAsync(accepted.Refid);
        said.Add($"5. event {seen.Id} {seen.Fields["Title"]} {seen.Fields["Severity"]}; ingestion {log.Status}");

        // 6. Find techniques and escalate.
        await api.UpdateKeyAsync(key.Id, new KeyPatch { RunMitreTtpSearch = true, RunEventAutomationRules = true });
        var rule = await api.CreateAutomationRuleAsync(new RuleRequest
        {
            Name = "Escalate high-severity alerts", Type = RuleType.Escalation, Site = Site,
            Condition = JsonNode.Parse("""{"field": "Severity", "operator": "equals", "value": "High"}"""),
            Escalation = new EscalationAction { IncidentType = "Malware", Title = "{{Title}} on {{Source IP}}", Severity = "High" },
        });
        var processed = await sender.PushEventsAsync("Kibana", Site, wait: 5, body: JsonNode.Parse(
            """{"hits":{"hits":{"_source":{"rawData":{"rule":{"name":"Encoded PowerShell"},"source":{"ip":"10.1.2.3"},"threat":{"technique":{"id":["T1059.001"]}}},"event.type":"alert","kibana.alert.severity":"high"}}}}"""));
        Expect(processed.Status == "Processed", $"with ?wait=5 the status is {processed.Status}");
        var escalated = processed.Events.Single();
        Expect(escalated.Status == EventStatus.Escalated, $"the event is {escalated.Status}");
        Expect(escalated.Techniques?.ToString()?.Contains("T1059.001", StringComparison.Ordinal) == true, $"techniques {escalated.Techniques}");
        var incident = processed.Incidents.Single();
        Expect(incident.Title == "Encoded PowerShell on 10.1.2.3", $"incident title {incident.Title}");
        var incidents = await api.ListIncidentsAsync(site: Site);
        Expect(incidents.Items.Any(i => i.Id == incident.Id), "the incident is not listed");
        said.Add($"6. rule {rule.Id}; event {escalated.Status} with T1059.001; incident {incident.Number} '{incident.Title}'");

        // And back: the rule goes, the audit log says who did what.
        await api.DeleteAutomationRuleAsync(rule.Id);
        var audit = await api.ListAuditEntriesAsync(resource: "rule");
        Expect(audit.Items.Any(a => a.Action == "rule.deleted"), "no rule.deleted audit row: " + string.Join(", ", audit.Items.Select(a => a.Action)));
        said.Add($"7. rule {rule.Id} deleted; audit: {string.Join(", ", audit.Items.Select(a => a.Action))}");
        return said;
    }

    private static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Walk-through through the generated client: " + what);
        }
    }
}
