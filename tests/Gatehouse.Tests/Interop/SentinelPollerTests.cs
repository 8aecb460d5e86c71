using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Storage;
using Gatehouse.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Gatehouse.Tests.Jwt.JwtTestKit;

namespace Gatehouse.Tests.Interop;

/// <summary>
/// Microsoft Sentinel's D3 connectors (Azure/Azure-Sentinel, Solutions/D3SOAR and Solutions/D3SmartSOAR) polling
/// Gatehouse as their published configs make the CCF RestApiPoller do it: the template of each version, its URL, headers,
/// a static JWT, 5-minute UTC windows and its paging; each row read back must carry every column the version's DCR reads.
/// </summary>
public abstract class SentinelPollerTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;

    /// <summary>The connector's Username textbox (placeholder "admin"): the key's creator, who may use it.</summary>
    private const string Username = "admin";

    // ----- DCR stream columns (Custom-D3SOARIncidents), verbatim from each DCR file -----

    // Azure/Azure-Sentinel @ 66418b27881856559e3092c9d7a7232675be36aa : Solutions/D3SOAR/Data Connectors/D3SOAR_CCF/D3SOAR_DCR.json
    // (D3SOAR "3.0.0 Smart SOAR"), streamDeclarations columns.
    private static readonly IReadOnlyList<DcrColumn> ColumnsC = DcrColumn.Parse("""
        [
          { "name": "IR Number", "type": "string" },
          { "name": "IR Type", "type": "string" },
          { "name": "Title", "type": "string" },
          { "name": "Status", "type": "string" },
          { "name": "Severity", "type": "string" },
          { "name": "Stage", "type": "string" },
          { "name": "Priority", "type": "string" },
          { "name": "Disposition", "type": "string" },
          { "name": "Tags", "type": "string" },
          { "name": "Owner", "type": "string" },
          { "name": "Creator", "type": "string" },
          { "name": "Timezone", "type": "string" },
          { "name": "Date Created", "type": "string" },
          { "name": "Date Modified", "type": "string" },
          { "name": "Playbook", "type": "string" },
          { "name": "Description", "type": "string" },
          { "name": "Conclusion", "type": "string" },
          { "name": "Investigation Team", "type": "string" },
          { "name": "Linked Incidents", "type": "dynamic" }
        ]
        """);

    // Azure/Azure-Sentinel @ 27bb49c707fdffd38d666873d1874080889ce4b4 : Solutions/D3SOAR/Data Connectors/D3SOAR_CCF/D3SOAR_DCR.json
    // (D3SOAR 3.0.1), byte-identical to Solutions/D3SmartSOAR/Data Connectors/D3SOAR_CCF/D3SOAR_DCR.json @ 9a3635f3d2058cb020985c03dc0fddc7225f3bd4,
    // the only DCR of D3SmartSOAR 3.0.0 – 3.3.0 (embedded unchanged in the mainTemplates @ 2e99d66d, 08d488d4, 856e9dc9, 19a9f13a).
    private static readonly IReadOnlyList<DcrColumn> ColumnsD = DcrColumn.Parse("""
        [
          { "name": "IR Number", "type": "string" },
          { "name": "IR Type", "type": "string" },
          { "name": "Title", "type": "string" },
          { "name": "Status", "type": "string" },
          { "name": "Severity", "type": "string" },
          { "name": "Stage", "type": "string" },
          { "name": "Priority", "type": "string" },
          { "name": "Disposition", "type": "string" },
          { "name": "Tags", "type": "string" },
          { "name": "Owner", "type": "string" },
          { "name": "Creator", "type": "string" },
          { "name": "Timezone", "type": "string" },
          { "name": "Date Created", "type": "string" },
          { "name": "Date Modified", "type": "string" },
          { "name": "Playbook", "type": "string" },
          { "name": "Description", "type": "string" },
          { "name": "Conclusion", "type": "string" },
          { "name": "Investigation Team", "type": "string" },
          { "name": "Linked Incidents", "type": "dynamic" },
          { "name": "IncidentRawData", "type": "dynamic" },
          { "name": "EventRawData", "type": "dynamic" }
        ]
        """);

    // Azure/Azure-Sentinel @ 719e6795e9f307d7343ec0b96988b0d5bce1f335 : Solutions/D3SOAR/Data Connectors/D3SOAR_CCF/D3SOAR_DCR.json
    // (D3SOAR 3.0.5; embedded unchanged in the mainTemplates of 3.0.5 @ 719e6795 and 3.0.6 @ 417fba6b).
    private static readonly IReadOnlyList<DcrColumn> ColumnsA = DcrColumn.Parse("""
        [
          { "name": "IR Number", "type": "string" },
          { "name": "IR Type", "type": "string" },
          { "name": "Title", "type": "string" },
          { "name": "Status", "type": "string" },
          { "name": "Severity", "type": "string" },
          { "name": "Stage", "type": "string" },
          { "name": "Priority", "type": "string" },
          { "name": "Disposition", "type": "string" },
          { "name": "Tags", "type": "string" },
          { "name": "Owner", "type": "string" },
          { "name": "Creator", "type": "string" },
          { "name": "Timezone", "type": "string" },
          { "name": "Date Created", "type": "string" },
          { "name": "Date Modified", "type": "string" },
          { "name": "Playbook", "type": "string" },
          { "name": "Description", "type": "string" },
          { "name": "Conclusion", "type": "string" },
          { "name": "Investigation Team", "type": "string" },
          { "name": "Linked Incidents", "type": "dynamic" },
          { "name": "Incident Raw Data", "type": "dynamic" },
          { "name": "Event Raw Data", "type": "dynamic" },
          { "name": "Customer - Name", "type": "string" },
          { "name": "Customer - Country", "type": "string" }
        ]
        """);

    // Azure/Azure-Sentinel @ b35ebd88723eb81c1779246036a702f5064bcb24 : Solutions/D3SOAR/Data Connectors/D3SOAR_CCF/D3SOAR_DCR.json (D3SOAR 3.0.7).
    private static readonly IReadOnlyList<DcrColumn> ColumnsB = DcrColumn.Parse("""
        [
          { "name": "IR Number", "type": "string" },
          { "name": "IR Type", "type": "string" },
          { "name": "Title", "type": "string" },
          { "name": "Status", "type": "string" },
          { "name": "Severity", "type": "string" },
          { "name": "Stage", "type": "string" },
          { "name": "Priority", "type": "string" },
          { "name": "Disposition", "type": "string" },
          { "name": "Tags", "type": "string" },
          { "name": "Owner", "type": "string" },
          { "name": "Creator", "type": "string" },
          { "name": "Timezone", "type": "string" },
          { "name": "Date Created", "type": "string" },
          { "name": "Date Modified", "type": "string" },
          { "name": "Playbook", "type": "string" },
          { "name": "Description", "type": "string" },
          { "name": "Conclusion", "type": "string" },
          { "name": "Investigation Team", "type": "string" },
          { "name": "Linked Incidents", "type": "dynamic" },
          { "name": "Incident Raw Data", "type": "dynamic" },
          { "name": "Event Raw Data", "type": "dynamic" },
          { "name": "Incident Owner - Owner Last Update Time", "type": "string" },
          { "name": "Incident Owner - Time Spend", "type": "string" },
          { "name": "Customer - Name", "type": "string" },
          { "name": "Customer - Country", "type": "string" }
        ]
        """);

    // ----- Polling configs: apiEndpoint, queryParametersTemplate (the JSON string literal of the file) and paging -----

    /// <summary>
    /// A — D3SOAR 3.0.5 / 3.0.6. Azure/Azure-Sentinel @ 719e6795e9f307d7343ec0b96988b0d5bce1f335 :
    /// Solutions/D3SOAR/Data Connectors/D3SOAR_CCF/D3SOAR_PollingConfig.json (same text in the mainTemplates 3.0.5 @ 719e6795 and
    /// 3.0.6 @ 417fba6b). <c>"apiEndpoint": "{{BaseUrl}}/ce_site/VSOC/api/command/GetIncidentsWithNewParameters"</c>; the UI's
    /// "Base URL" placeholder is <c>https://poc.bemimo.com</c>; no <c>paging</c> block.
    /// </summary>
    public static readonly SentinelConnectorVersion A = new("A (D3SOAR 3.0.5)", "", "/ce_site/VSOC/api/command/GetIncidentsWithNewParameters", """
        "{ \"Username\": \"{{Username}}\", \"Site\": \"{{Site}}\", \"Timestamp\": \"{_QueryWindowEndTime}\", \"CommandParams\": { \"Filter\": [ { \"field\": \"Status\", \"operator\": \"!=\", \"value\": \"Open\" } ], \"Static Fields\": [ \"IR Number\", \"IR Type\", \"Title\", \"Status\", \"Severity\", \"Stage\", \"Priority\", \"Disposition\", \"Tags\", \"Owner\", \"Creator\", \"Timezone\", \"Date Created\", \"Date Modified\", \"Playbook\", \"Description\", \"Conclusion\", \"Investigation Team\", \"Linked Incidents\", \"Incident Raw Data\", \"Event Raw Data\" ], \"Dynamic Fields\": { \"Incident Owner\": [ \"Owner Last Update Time\", \"Time Spend\" ], \"Customer\": [ \"Name\", \"Country\" ] }, \"Start Time\": \"{_QueryWindowStartTime}\", \"End Time\": \"{_QueryWindowEndTime}\", \"Output Format\": 2, \"Page Index\": 0, \"Page Size\": 100 } }"
        """, CcfPaging.None, null, 0, ColumnsA);

    /// <summary>
    /// B — D3SOAR 3.0.7. Azure/Azure-Sentinel @ b35ebd88723eb81c1779246036a702f5064bcb24 :
    /// Solutions/D3SOAR/Data Connectors/D3SOAR_CCF/D3SOAR_PollingConfig.json (same in its mainTemplate); as A, with the
    /// hard-coded <c>"Incident Numbers": [ "20260113-2531" ]</c>.
    /// </summary>
    public static readonly SentinelConnectorVersion B = new("B (D3SOAR 3.0.7)", "", "/ce_site/VSOC/api/command/GetIncidentsWithNewParameters", """
        "{ \"Username\": \"{{Username}}\", \"Site\": \"{{Site}}\", \"Timestamp\": \"{_QueryWindowEndTime}\", \"CommandParams\": { \"Filter\": [ { \"field\": \"Status\", \"operator\": \"!=\", \"value\": \"Open\" } ], \"Static Fields\": [ \"IR Number\", \"IR Type\", \"Title\", \"Status\", \"Severity\", \"Stage\", \"Priority\", \"Disposition\", \"Tags\", \"Owner\", \"Creator\", \"Timezone\", \"Date Created\", \"Date Modified\", \"Playbook\", \"Description\", \"Conclusion\", \"Investigation Team\", \"Linked Incidents\", \"Incident Raw Data\", \"Event Raw Data\" ], \"Dynamic Fields\": { \"Incident Owner\": [ \"Owner Last Update Time\", \"Time Spend\" ], \"Customer\": [ \"Name\", \"Country\" ] }, \"Incident Numbers\": [ \"20260113-2531\" ], \"Start Time\": \"{_QueryWindowStartTime}\", \"End Time\": \"{_QueryWindowEndTime}\", \"Output Format\": 2, \"Page Index\": 0, \"Page Size\": 100 } }"
        """, CcfPaging.None, null, 0, ColumnsB);

    /// <summary>
    /// C — D3SOAR "3.0.0 Smart SOAR". Azure/Azure-Sentinel @ 66418b27881856559e3092c9d7a7232675be36aa :
    /// Solutions/D3SOAR/Data Connectors/D3SOAR_CCF/D3SOAR_PollingConfig.json. <c>"apiEndpoint": "{{BaseUrl}}/api/command/GetIncidentsWithNewParameters"</c>,
    /// "Server URL" placeholder <c>https://poc.bemimo.com/ce_site/VSOC</c>;
    /// <c>"paging": { "pagingType": "Offset", "pageSize": 1, "offsetParaName": "Page Index" }</c>.
    /// </summary>
    public static readonly SentinelConnectorVersion C = new("C (D3SOAR 3.0.0 Smart SOAR)", "/ce_site/VSOC", "/api/command/GetIncidentsWithNewParameters", """
        "{ \"Username\": \"{{Username}}\", \"Site\": \"{{Site}}\", \"CommandParams\": { \"Static Fields\": [ \"IR Number\", \"IR Type\", \"Title\", \"Status\", \"Severity\", \"Stage\", \"Priority\", \"Disposition\", \"Tags\", \"Owner\", \"Creator\", \"Timezone\", \"Date Created\", \"Date Modified\", \"Playbook\", \"Description\", \"Conclusion\", \"Investigation Team\", \"Linked Incidents\" ], \"Start Time\": \"{_QueryWindowStartTime}\", \"End Time\": \"{_QueryWindowEndTime}\", \"Output Format\": 2, \"Page Index\": 0, \"Page Size\": 100 } }"
        """, CcfPaging.Offset, "Page Index", 1, ColumnsC);

    /// <summary>
    /// D — D3SOAR 3.0.1 = D3SmartSOAR 3.0.0. Azure/Azure-Sentinel @ 27bb49c707fdffd38d666873d1874080889ce4b4 :
    /// Solutions/D3SOAR/Data Connectors/D3SOAR_CCF/D3SOAR_PollingConfig.json (same text in Solutions/D3SmartSOAR/Package/mainTemplate.json
    /// @ 2e99d66d9cb7c1c86bb1d3dd7a22ec8525a0e4b5); paging as C.
    /// </summary>
    public static readonly SentinelConnectorVersion D = new("D (D3SOAR 3.0.1 / D3SmartSOAR 3.0.0)", "/ce_site/VSOC", "/api/command/GetIncidentsWithNewParameters", """
        "{ \"Username\": \"{{Username}}\", \"Site\": \"{{Site}}\", \"CommandParams\": { \"Static Fields\": [ \"IR Number\", \"IR Type\", \"Title\", \"Status\", \"Severity\", \"Stage\", \"Priority\", \"Disposition\", \"Tags\", \"Owner\", \"Creator\", \"Timezone\", \"Date Created\", \"Date Modified\", \"Playbook\", \"Description\", \"Conclusion\", \"Investigation Team\", \"Linked Incidents\", \"Incident Raw Data\", \"Event Raw Data\" ], \"Start Time\": \"{_QueryWindowStartTime}\", \"End Time\": \"{_QueryWindowEndTime}\", \"Output Format\": 2, \"Page Index\": 0, \"Page Size\": 100, \"PollFromSentinel\": true } }"
        """, CcfPaging.Offset, "Page Index", 1, ColumnsD);

    /// <summary>
    /// E — D3SmartSOAR 3.0.1. Azure/Azure-Sentinel @ 08d488d46520953443939a18826b085449f83ad8 :
    /// Solutions/D3SmartSOAR/Data Connectors/D3SOAR_CCF/D3SOAR_PollingConfig.json; body as D;
    /// <c>"paging": { "pagingType": "CountBasedPaging", "pageNumberParaName": "Page Index", "zeroBasedIndexing": true, "pageCountJsonPath": "$.outputData.TotalPages" }</c>.
    /// </summary>
    public static readonly SentinelConnectorVersion E = new("E (D3SmartSOAR 3.0.1)", "/ce_site/VSOC", "/api/command/GetIncidentsWithNewParameters", """
        "{ \"Username\": \"{{Username}}\", \"Site\": \"{{Site}}\", \"CommandParams\": { \"Static Fields\": [ \"IR Number\", \"IR Type\", \"Title\", \"Status\", \"Severity\", \"Stage\", \"Priority\", \"Disposition\", \"Tags\", \"Owner\", \"Creator\", \"Timezone\", \"Date Created\", \"Date Modified\", \"Playbook\", \"Description\", \"Conclusion\", \"Investigation Team\", \"Linked Incidents\", \"Incident Raw Data\", \"Event Raw Data\" ], \"Start Time\": \"{_QueryWindowStartTime}\", \"End Time\": \"{_QueryWindowEndTime}\", \"Output Format\": 2, \"Page Index\": 0, \"Page Size\": 100, \"PollFromSentinel\": true } }"
        """, CcfPaging.CountBased, "Page Index", 0, ColumnsD);

    /// <summary>
    /// F — D3SmartSOAR 3.1.0 – 3.3.0. Azure/Azure-Sentinel @ 9a06c49a401089cce7e04f02e57436c8c30acb5f :
    /// Solutions/D3SmartSOAR/Data Connectors/D3SOAR_CCF/D3SOAR_PollingConfig.json (byte-identical polling in the mainTemplates
    /// @ 856e9dc9bc7407d7402fd2546f664d42df2a8f92 and 3.3.0 @ 19a9f13a0b4da0f29ec3e3675d81461ffa51c6c2);
    /// <c>"paging": { "pagingType": "CountBasedPaging", "pageNumberParaName": "$.CommandParams.PageIndex", "zeroBasedIndexing": true, "pageCountJsonPath": "$.outputData.TotalPages" }</c>.
    /// </summary>
    public static readonly SentinelConnectorVersion F = new("F (D3SmartSOAR 3.1.0 - 3.3.0)", "/ce_site/VSOC", "/api/command/GetIncidentsWithNewParameters", """
        "{ \"Username\": \"{{Username}}\", \"Site\": \"{{Site}}\", \"CommandParams\": { \"Static Fields\": [ \"IR Number\", \"IR Type\", \"Title\", \"Status\", \"Severity\", \"Stage\", \"Priority\", \"Disposition\", \"Tags\", \"Owner\", \"Creator\", \"Timezone\", \"Date Created\", \"Date Modified\", \"Playbook\", \"Description\", \"Conclusion\", \"Investigation Team\", \"Linked Incidents\", \"Incident Raw Data\", \"Event Raw Data\" ], \"Start Time\": \"{_QueryWindowStartTime}\", \"End Time\": \"{_QueryWindowEndTime}\", \"Output Format\": 2, \"PageIndex\": 0, \"PageSize\": 100, \"PollFromSentinel\": true } }"
        """, CcfPaging.CountBasedJsonPath, "$.CommandParams.PageIndex", 0, ColumnsD);

    private static readonly Dictionary<string, SentinelConnectorVersion> Versions = new() { ["A"] = A, ["B"] = B, ["C"] = C, ["D"] = D, ["E"] = E, ["F"] = F };

    public static TheoryData<string> AllVersions() => [.. Versions.Keys];

    // ----- The tests -----

    [Fact]
    public async Task A_D3SOAR_3_0_5_reads_every_closed_or_in_progress_incident_of_the_window_once_with_its_customer_columns()
    {
        var polled = await PollSeededSiteAsync(A, inProgress: 4);

        polled.AssertEachExpectedOnce(excludeOpen: true);
        Assert.Single(polled.Poller.Requests);
        var row = polled.Row(polled.Site.Linked);
        Assert.Equal("ACME 0", Text(row, "Customer - Name"));
        Assert.Equal("CA", Text(row, "Customer - Country"));
        Assert.Equal("00:45:00", Text(row, "Incident Owner - Time Spend"));
        Assert.Null(polled.Row(polled.Site.LinkedTo)["Incident Owner - Time Spend"]);
        Assert.True(JsonNode.DeepEquals(polled.Site.Raw[polled.Site.Linked], row["Incident Raw Data"]), row.ToJsonString());
        Assert.All(polled.Rows, r => Assert.True(JsonNode.DeepEquals(polled.Site.Events(Text(r.Row, "IR Number")!), r.Row["Event Raw Data"]), r.Row.ToJsonString()));
        Assert.Equal("True Positive", Text(polled.Row(polled.Site.Closed), "Disposition"));
    }

    [Fact]
    public async Task B_D3SOAR_3_0_7_reads_only_its_hard_coded_incident_number_and_then_every_dcr_column()
    {
        // The template names one incident, "20260113-2531": an incident of the window with another number is not read.
        var polled = await PollSeededSiteAsync(B, inProgress: 3);
        Assert.All(polled.Poller.Requests, r => Assert.Empty(r.Events!));

        // That number is incident 2531, created on 2026-01-13 (UTC): ids and creation days cannot be chosen through the
        // API, so it is stored directly, and the poller's window is the one of that day that holds it.
        var created = new DateTimeOffset(2026, 1, 13, 10, 1, 7, TimeSpan.Zero);
        await StoreIncidentAsync(polled.Site.Name, 2531, created, "In Progress");
        var poller = await PollerAsync(B, polled.Site.Name);
        var rows = await poller.PollWindowAsync(new DateTime(2026, 1, 13, 10, 0, 0, DateTimeKind.Utc), new DateTime(2026, 1, 13, 10, 5, 0, DateTimeKind.Utc));

        var row = Assert.Single(rows);
        Assert.Equal("20260113-2531", Text(row, "IR Number"));
        AssertDcrColumns(B, row);
        Assert.Equal("2026-01-13 10:01:07", Text(row, "Date Created"));
        Assert.Equal("2026-01-13 09:58:00", Text(row, "Incident Owner - Owner Last Update Time"));
        Assert.Equal("01:30:00", Text(row, "Incident Owner - Time Spend"));
        Assert.Equal("Globex", Text(row, "Customer - Name"));
    }

    [Fact]
    public async Task C_D3SOAR_3_0_0_Smart_SOAR_offset_paging_reads_every_incident_of_the_window_once()
    {
        var polled = await PollSeededSiteAsync(C, inProgress: 100);

        polled.AssertEachExpectedOnce(excludeOpen: false);
        Assert.Equal(3, polled.Poller.Requests.Count);
        Assert.All(polled.Poller.Requests, r => Assert.DoesNotContain("IncidentRawData", r.ResponseText, StringComparison.Ordinal));
    }

    [Fact]
    public async Task D_D3SOAR_3_0_1_offset_paging_with_PollFromSentinel_reads_every_incident_once_with_its_raw_data()
    {
        var polled = await PollSeededSiteAsync(D, inProgress: 100);

        polled.AssertEachExpectedOnce(excludeOpen: false);
        Assert.Equal(3, polled.Poller.Requests.Count);
        polled.AssertSentinelRawData();

        // The same poll with the offset in the query string instead of beside the template's members.
        var byQuery = await PollAsync(D, polled.Site, PagePlacement.QueryString);
        byQuery.AssertEachExpectedOnce(excludeOpen: false);
        Assert.All(byQuery.Poller.Requests, r => Assert.Contains("Page%20Index=", r.Url.Query, StringComparison.Ordinal));
    }

    [Fact]
    public async Task E_D3SmartSOAR_3_0_1_count_based_paging_reads_every_incident_once_until_TotalPages()
    {
        var polled = await PollSeededSiteAsync(E, inProgress: 100);

        polled.AssertEachExpectedOnce(excludeOpen: false);
        Assert.Equal(new[] { 2, 2 }, polled.Poller.Requests.Select(r => r.TotalPages!.Value));
        polled.AssertSentinelRawData();

        var byQuery = await PollAsync(E, polled.Site, PagePlacement.QueryString);
        byQuery.AssertEachExpectedOnce(excludeOpen: false);
    }

    [Fact]
    public async Task F_D3SmartSOAR_3_1_0_count_based_paging_on_CommandParams_PageIndex_reads_every_incident_once()
    {
        var polled = await PollSeededSiteAsync(F, inProgress: 100);

        polled.AssertEachExpectedOnce(excludeOpen: false);
        Assert.Equal(new[] { 2, 2 }, polled.Poller.Requests.Select(r => r.TotalPages!.Value));
        Assert.Equal(new[] { 0, 1 }, polled.Poller.Requests.Select(r => JsonNode.Parse(r.Body)!["CommandParams"]!["PageIndex"]!.GetValue<int>()));
        polled.AssertSentinelRawData();
    }

    [Theory]
    [MemberData(nameof(AllVersions))]
    public async Task An_empty_window_answers_200_with_no_incidents(string name)
    {
        var version = Versions[name];
        var site = await Admin.CreateSiteAsync(name: Unique.Name("Security Operations"));
        var poller = await PollerAsync(version, site);
        var end = Truncated(DateTimeOffset.UtcNow);

        var rows = await poller.PollWindowAsync(end - SentinelConnectorVersion.QueryWindow, end);

        Assert.Empty(rows);
        var request = Assert.Single(poller.Requests);
        Assert.Equal("[]", JsonNode.Parse(request.ResponseText)!["rawData"]!["incidents"]!.ToJsonString());
        if (version.Paging is CcfPaging.CountBased or CcfPaging.CountBasedJsonPath)
        {
            Assert.Equal(0, request.TotalPages);
        }
    }

    [Fact]
    public void Each_template_is_the_published_body_once_its_placeholders_are_filled()
    {
        foreach (var version in Versions.Values)
        {
            var body = version.Body("admin", "Security Operations", new DateTime(2026, 2, 27, 10, 0, 0, DateTimeKind.Utc), new DateTime(2026, 2, 27, 10, 5, 0, DateTimeKind.Utc));
            var root = JsonNode.Parse(body)!;
            Assert.Equal("admin", root["Username"]!.GetValue<string>());
            Assert.Equal("Security Operations", root["Site"]!.GetValue<string>());
            Assert.Equal("2026-02-27 10:00:00", root["CommandParams"]!["Start Time"]!.GetValue<string>());
            Assert.Equal("2026-02-27 10:05:00", root["CommandParams"]!["End Time"]!.GetValue<string>());
            Assert.Equal(2, root["CommandParams"]!["Output Format"]!.GetValue<int>());
            Assert.Equal("http://localhost/ce_site/VSOC/api/command/GetIncidentsWithNewParameters", version.Url(new Uri("http://localhost/")).ToString());
        }
        Assert.Equal("2026-02-27 10:05:00", JsonNode.Parse(A.Body("u", "s", DateTime.UnixEpoch, new DateTime(2026, 2, 27, 10, 5, 0, DateTimeKind.Utc)))!["Timestamp"]!.GetValue<string>());
    }

    // ----- Arrangement -----

    /// <summary>The seeded site: the numbers of its incidents in the window and the outside one, each one's raw data.</summary>
    private sealed record SeededSite(
        string Name, DateTime WindowStart, DateTime LastCreated, List<string> Numbers, Dictionary<string, JsonObject> Views,
        Dictionary<string, JsonNode?> Raw, string Outside, string Open, string Closed, string Linked, string LinkedTo, Dictionary<string, JsonArray> EventRaw)
    {
        /// <summary>The raw JSON of the incident's events, in event order (none for most).</summary>
        public JsonArray Events(string number) => EventRaw.TryGetValue(number, out var events) ? (JsonArray)events.DeepClone() : [];
    }

    /// <summary>What one poll of the seeded site read, with the checks every version makes.</summary>
    private sealed record Polled(SentinelConnectorVersion Version, SeededSite Site, CcfRestApiPoller Poller, List<(DateTime Start, JsonObject Row)> Rows)
    {
        public JsonObject Row(string number) => Rows.Single(r => Text(r.Row, "IR Number") == number).Row;

        /// <summary>Every incident created in the windows is read exactly once (none twice, none missing), the outside one never.</summary>
        public void AssertEachExpectedOnce(bool excludeOpen)
        {
            var expected = Site.Numbers.Where(n => !excludeOpen || n != Site.Open).Order(StringComparer.Ordinal).ToList();
            var read = Rows.Select(r => Text(r.Row, "IR Number")!).ToList();
            var duplicates = read.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(duplicates.Count == 0, $"{Version.Name}: read more than once: {string.Join(", ", duplicates)}");
            Assert.Equal(expected, read.Order(StringComparer.Ordinal).ToList());
            Assert.DoesNotContain(Site.Outside, read);
            foreach (var (start, row) in Rows)
            {
                AssertDcrColumns(Version, row);
                var created = ParseWireTime(row, "Date Created");
                Assert.InRange(created, start, start + SentinelConnectorVersion.QueryWindow - TimeSpan.FromTicks(1));
                var view = Site.Views[Text(row, "IR Number")!];
                Assert.Equal(Truncated(view["createdAt"]!.GetValue<DateTimeOffset>()), created);
                Assert.Equal(Truncated(view["modifiedAt"]!.GetValue<DateTimeOffset>()), ParseWireTime(row, "Date Modified"));
                Assert.Equal(view["title"]!.GetValue<string>(), Text(row, "Title"));
                Assert.Equal(view["severity"]!.GetValue<string>(), Text(row, "Severity"));
                Assert.Equal(view["status"]!.GetValue<string>(), Text(row, "Status"));
            }
            var linked = Row(Site.Linked);
            Assert.Equal("phishing, vip", Text(linked, "Tags"));
            Assert.Equal("admin", Text(linked, "Investigation Team"));
            Assert.Equal("Triage", Text(linked, "Stage"));
            Assert.Equal("High", Text(linked, "Priority"));
            Assert.Equal("UTC", Text(linked, "Timezone"));
            Assert.Equal("admin", Text(linked, "Creator"));
            Assert.Equal("Phishing", Text(linked, "IR Type"));
            Assert.True(JsonNode.DeepEquals(new JsonArray(Site.LinkedTo), linked["Linked Incidents"]), linked.ToJsonString());
        }

        /// <summary>PollFromSentinel: each row's IncidentRawData and EventRawData are the incident's raw data and its events' raw JSON.</summary>
        public void AssertSentinelRawData()
        {
            foreach (var (_, row) in Rows)
            {
                var number = Text(row, "IR Number")!;
                Assert.True(JsonNode.DeepEquals(Site.Raw[number], row["IncidentRawData"]), row.ToJsonString());
                Assert.True(JsonNode.DeepEquals(Site.Events(number), row["EventRawData"]), row.ToJsonString());
            }
        }
    }

    private async Task<Polled> PollSeededSiteAsync(SentinelConnectorVersion version, int inProgress)
    {
        var site = await SeedAsync(inProgress);
        return await PollAsync(version, site, PagePlacement.BodyTopLevel);
    }

    /// <summary>Polls consecutive 5-minute windows from the seeded window's start until past the last incident, as the poller does.</summary>
    private async Task<Polled> PollAsync(SentinelConnectorVersion version, SeededSite site, PagePlacement placement)
    {
        var poller = await PollerAsync(version, site.Name, placement);
        var rows = new List<(DateTime, JsonObject)>();
        for (var start = site.WindowStart; start <= site.LastCreated; start += SentinelConnectorVersion.QueryWindow)
        {
            rows.AddRange((await poller.PollWindowAsync(start, start + SentinelConnectorVersion.QueryWindow)).Select(r => (start, r)));
        }
        return new Polled(version, site, poller, rows);
    }

    /// <summary>
    /// The poller of a deployed connector: a Utility Command JWT key for GetIncidentsWithNewParameters whose token binds
    /// Username and Site and has no age check, and the one token the user pasted into "D3 JWT" (HS256, PyJWT's compact JSON).
    /// </summary>
    private async Task<CcfRestApiPoller> PollerAsync(SentinelConnectorVersion version, string site, PagePlacement placement = PagePlacement.BodyTopLevel)
    {
        await Admin.PutAsync("/api/settings/EnableEnhanceWebhookAuthentication", new { value = true });
        var (view, secret) = await JwtKeyAsync(Admin, new
        {
            name = Unique.Name("Sentinel"), module = "UtilityCommand", method = "Jwt", command = "GetIncidentsWithNewParameters",
            payloadFields = new[] { "Username", "Site" }, maxTokenAgeSeconds = 0,
        });
        Assert.Equal(["Username", "Site"], view["payloadFields"]!.AsArray().Select(f => f!.GetValue<string>()));
        var payload = new JsonObject { ["Username"] = Username, ["Site"] = site }.ToJsonString();
        var token = Forge(Header(view["kid"]!.GetValue<string>()), payload, secret);
        return new CcfRestApiPoller(fixture.Factory.CreateClient(), version, Username, site, token, placement);
    }

    /// <summary>
    /// A new site with one incident created before the window, then <paramref name="inProgress"/> incidents in progress,
    /// one closed and one still Open, created in the window through the admin API, and one that a SIEM sent through
    /// incident intake with its two events (then taken in progress); the first is linked to the second and to an event.
    /// </summary>
    private async Task<SeededSite> SeedAsync(int inProgress)
    {
        await Admin.PutAsync("/api/settings/EnableEnhanceWebhookAuthentication", new { value = true });
        var site = await Admin.CreateSiteAsync(name: Unique.Name("Security Operations"));
        var sender = await SenderAsync(site);
        var mail = JsonNode.Parse("""{"subject":"Invoice overdue","from":"mallory0@example.com","verdict":"phish"}""")!;
        var eventId = (await sender.SendAsync("Event", mail))["events"]![0]!["id"]!.GetValue<long>();
        var outside = await CreateIncidentAsync(site, -1, "In Progress");
        // Windows are whole seconds: the first starts after the second in which the outside incident was created.
        var windowStart = Truncated(outside["createdAt"]!.GetValue<DateTimeOffset>()).AddSeconds(1);
        var wait = windowStart - DateTime.UtcNow + TimeSpan.FromMilliseconds(20);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
        var views = new List<JsonObject>();
        for (var i = 0; i < inProgress; i++)
        {
            views.Add(await CreateIncidentAsync(site, i, "In Progress"));
        }
        var closed = await CreateIncidentAsync(site, inProgress, "In Progress");
        var open = await CreateIncidentAsync(site, inProgress + 1, null);
        Assert.Equal("Open", open["status"]!.GetValue<string>());
        var alerts = new JsonArray(JsonNode.Parse("""{"host":"fin-01","rule":"Ransom note"}"""), JsonNode.Parse("""{"host":"fin-02","rule":"Shadow copies deleted"}"""));
        var case1 = new JsonObject { ["id"] = "C-1", ["title"] = "Ransomware on finance", ["severity"] = "critical", ["category"] = "Malware", ["alerts"] = alerts.DeepClone() };
        var received = (await sender.SendAsync("Incident", new JsonObject { ["cases"] = new JsonArray(case1) }))["incidents"]![0]!;
        var fromSiem = await GatehouseClient.Json(await Admin.Http.PatchAsJsonAsync($"/api/incidents/{received["id"]}", new { status = "In Progress" }), HttpStatusCode.OK);
        var number = (JsonObject v) => v["number"]!.GetValue<string>();
        var (linked, linkedTo) = (number(views[0]), number(views[1]));
        views[0] = (await Admin.PostAsync($"/api/incidents/{views[0]["id"]}/links", new { incidents = new[] { linkedTo }, events = new[] { eventId } }, HttpStatusCode.OK)).AsObject();
        views[1] = (await Admin.GetAsync($"/api/incidents/{views[1]["id"]}")).AsObject();
        closed = (await Admin.PostAsync($"/api/incidents/{closed["id"]}/close", new { conclusion = "Mail quarantined", disposition = "True Positive" }, HttpStatusCode.OK)).AsObject();
        views.AddRange([closed, open, fromSiem.AsObject()]);
        var all = views.ToDictionary(number);
        var raw = new Dictionary<string, JsonNode?>();
        foreach (var (n, view) in all)
        {
            raw[n] = (await Admin.GetAsync($"/api/incidents/{view["id"]}"))["raw"]?.DeepClone();
        }
        var eventRaw = new Dictionary<string, JsonArray> { [linked] = new JsonArray(mail.DeepClone()), [number(fromSiem.AsObject())] = alerts };
        var lastCreated = views.Max(v => Truncated(v["createdAt"]!.GetValue<DateTimeOffset>()));
        return new SeededSite(site, windowStart, lastCreated, [.. all.Keys], all, raw, number(outside), number(open), number(closed), linked, linkedTo, eventRaw);
    }

    /// <summary>An incident as a sender would file it, with the dynamic fields the D3SOAR templates ask for (Incident Owner on every other one).</summary>
    private async Task<JsonObject> CreateIncidentAsync(string site, int i, string? status)
    {
        var dynamicFields = new JsonObject { ["Customer"] = new JsonObject { ["Name"] = $"ACME {i}", ["Country"] = "CA" } };
        if (i % 2 == 0)
        {
            dynamicFields["Incident Owner"] = new JsonObject { ["Owner Last Update Time"] = "2026-02-27 09:58:00", ["Time Spend"] = "00:45:00" };
        }
        var body = new JsonObject
        {
            ["site"] = site, ["incidentType"] = "Phishing", ["title"] = $"Reported mail {i}", ["description"] = $"Reported by user {i}",
            ["severity"] = i % 2 == 0 ? "High" : "Critical", ["stage"] = "Triage", ["priority"] = "High", ["tags"] = new JsonArray("phishing", "vip"),
            ["owner"] = Username, ["investigationTeam"] = new JsonArray(Username), ["timezone"] = "UTC", ["dynamicFields"] = dynamicFields,
            ["raw"] = new JsonObject { ["alert"] = new JsonObject { ["id"] = i, ["sender"] = $"mallory{i}@example.com" } },
        };
        if (status is not null)
        {
            body["status"] = status;
        }
        return (await Admin.PostAsync("/api/incidents", body)).AsObject();
    }

    /// <summary>A SIEM pushing events and incidents (cases with their alerts) to the site, with intake JWT keys that bind nothing.</summary>
    private sealed record Sender(GatehouseClient Admin, string Integration, string Site, Dictionary<string, string> Tokens)
    {
        /// <summary>Sends to the event or incident intake and waits for processing; returns the result.</summary>
        public async Task<JsonNode> SendAsync(string intake, JsonNode body)
        {
            var verb = intake == "Event" ? "CreateEvents" : "CreateIncidents";
            return await GatehouseClient.Json(await SendWithTokenAsync(Admin, Integration, Site, body.ToJsonString(), Tokens[intake], $"{verb}?wait=10"), HttpStatusCode.OK);
        }
    }

    private async Task<Sender> SenderAsync(string site)
    {
        var integration = await Admin.CreateIntegrationAsync(
            eventIntake: new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.subject" } } },
            incidentIntake: new
            {
                mainJsonPath = "$.cases", eventsJsonPath = "$.alerts",
                fieldMappings = new[]
                {
                    new { field = "Title", source = "$.title" }, new { field = "Severity", source = "$.severity" },
                    new { field = "Incident Type", source = "$.category" }, new { field = "External ID", source = "$.id" },
                },
            });
        var tokens = new Dictionary<string, string>();
        foreach (var intake in new[] { "Event", "Incident" })
        {
            // The vendor tells intake senders to sign {}: a key that binds no payload field, asked for explicitly.
            var (view, secret) = await JwtKeyAsync(Admin, new
            {
                name = Unique.Name("SIEM"), module = "DataIngestion", method = "Jwt", site, integration, intake, payloadFields = Array.Empty<string>(),
            });
            tokens[intake] = Forge(Header(view["kid"]!.GetValue<string>()), "{}", secret);
        }
        return new Sender(Admin, integration, site, tokens);
    }

    /// <summary>An incident with the id and creation time given, stored as the incident model writes one (for numbers the API cannot choose).</summary>
    private async Task StoreIncidentAsync(string site, long id, DateTimeOffset created, string status)
    {
        await using var db = fixture.Factory.Store.OpenDb();
        var siteId = await db.Sites.Where(s => s.Name == site).Select(s => s.Id).SingleAsync();
        db.Incidents.Add(new Incident
        {
            Id = id, SiteId = siteId, IncidentType = "Phishing", Title = "Reported mail", Severity = "High", Status = status, Stage = "Triage",
            Priority = "High", TagsJson = """["phishing"]""", Owner = Username, Creator = Username, Timezone = "UTC", CreatedAt = created,
            ModifiedAt = created.AddMinutes(2), TeamJson = """["admin"]""", RawJson = """{"alert":{"id":2531}}""",
            DynamicFieldsJson = """{"Incident Owner":{"Owner Last Update Time":"2026-01-13 09:58:00","Time Spend":"01:30:00"},"Customer":{"Name":"Globex","Country":"US"}}""",
        });
        await db.SaveChangesAsync();
    }

    // ----- Checks -----

    /// <summary>The row has every column the DCR reads, with a JSON type its declared type takes: a string column text or null, a dynamic column any JSON.</summary>
    private static void AssertDcrColumns(SentinelConnectorVersion version, JsonObject row)
    {
        foreach (var column in version.Columns)
        {
            Assert.True(row.ContainsKey(column.Name), $"{version.Name}: the row has no '{column.Name}', which the DCR reads: {row.ToJsonString()}");
            var value = row[column.Name];
            switch (column.Type)
            {
                case "string":
                    Assert.True(value is null || (value is JsonValue v && v.GetValueKind() == JsonValueKind.String),
                        $"{version.Name}: '{column.Name}' is a string column but the row has {value?.ToJsonString() ?? "null"}");
                    break;
                case "dynamic":
                    break;
                default:
                    Assert.Fail($"{version.Name}: the DCR declares '{column.Name}' as {column.Type}, which this test does not know.");
                    break;
            }
        }
        ParseWireTime(row, "Date Created");
        ParseWireTime(row, "Date Modified");
    }

    /// <summary>A time column as KQL's todatetime() takes it: <c>yyyy-MM-dd HH:mm:ss</c>, UTC.</summary>
    private static DateTime ParseWireTime(JsonObject row, string column)
    {
        var text = Text(row, column);
        Assert.True(DateTime.TryParseExact(text, SentinelConnectorVersion.QueryTimeFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time), $"'{column}' is {text ?? "null"}, not {SentinelConnectorVersion.QueryTimeFormat}");
        return time;
    }

    private static string? Text(JsonObject row, string column) => row[column]?.GetValue<string>();

    private static DateTime Truncated(DateTimeOffset time) =>
        new(time.UtcDateTime.Ticks - time.UtcDateTime.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
}

public sealed class SentinelPollerTestsOnSqlite(SqliteFixture fixture) : SentinelPollerTests(fixture), IClassFixture<SqliteFixture>;

public sealed class SentinelPollerTestsOnPostgres(PostgresFixture fixture) : SentinelPollerTests(fixture), IClassFixture<PostgresFixture>;
