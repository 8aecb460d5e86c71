using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;
using Gatehouse.Tests.Jwt;

namespace Gatehouse.Tests.Intake;

/// <summary>MITRE ATT&amp;CK TTP search on ingested events, with MITRE's bundle from the shared data.</summary>
public abstract class TtpSearchTests(Provider provider)
{
    private const string Site = GatehouseClient.DefaultSite;

    [Fact]
    public async Task Ingested_events_get_techniques_with_tactics_and_evidence_and_can_be_filtered_by_technique()
    {
        var bundle = SharedData.Path("attack/enterprise-attack-18.1.json");
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(provider), new() { ["Gatehouse:Attack:BundlePath"] = bundle });
        var admin = await factory.AdminAsync();
        var integration = await admin.CreateIntegrationAsync(new { mainJsonPath = "$[*]", fieldMappings = new[] { new { field = "Title", source = "$.title" } } });
        var view = await admin.PostAsync("/api/keys", new { name = Unique.Name("TTP"), module = "DataIngestion", site = Site, integration, intake = "Event", runMitreTtpSearch = true });
        var key = (await admin.GetAsync($"/api/keys/{view["id"]}/secret"))["headerValue"]!.GetValue<string>();

        var result = await admin.SendAndWaitAsync(integration, Site, new object[]
        {
            new { title = "Encoded command", tags = new[] { "attack.t1059.001" } },
            new { title = "Named by the sender", technique = "Process Injection" },
            new { title = "nothing to see" },
        }, key);

        var ids = result["events"]!.AsArray().Select(e => e!["id"]!.GetValue<long>()).ToList();
        Assert.True(ids.Count == 3, result.ToJsonString());
        var first = await admin.GetAsync($"/api/events/{ids[0]}");
        var technique = first["techniques"]![0]!;
        Assert.Equal("T1059.001", technique["techniqueId"]!.GetValue<string>());
        Assert.Equal("PowerShell", technique["techniqueName"]!.GetValue<string>());
        Assert.Equal("TA0002", technique["tactics"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("explicit-id", technique["layer"]!.GetValue<string>());
        Assert.Equal("$['tags'][0]", technique["evidence"]![0]!["field"]!.GetValue<string>());
        var second = await admin.GetAsync($"/api/events/{ids[1]}");
        Assert.Equal("T1055", second["techniques"]![0]!["techniqueId"]!.GetValue<string>());
        Assert.Empty((await admin.GetAsync($"/api/events/{ids[2]}"))["techniques"]!.AsArray());
        var steps = (await admin.GetAsync($"/api/ingestions/{result["refid"]}"))["steps"]!.AsArray();
        Assert.Equal(["T1059.001"], steps[0]!["techniques"]!.AsArray().Select(t => t!.GetValue<string>()));

        var t1059 = await admin.GetAsync($"/api/events?integration={Uri.EscapeDataString(integration)}&technique=T1059");
        var execution = await admin.GetAsync($"/api/events?integration={Uri.EscapeDataString(integration)}&technique=ta0002");
        Assert.Equal([ids[0]], t1059["items"]!.AsArray().Select(e => e!["id"]!.GetValue<long>()));
        Assert.Contains(ids[0], execution["items"]!.AsArray().Select(e => e!["id"]!.GetValue<long>()));
        await GatehouseClient.Problem(await admin.Http.GetAsync("/api/events?technique=powershell"), HttpStatusCode.BadRequest);

        // SetEventTechniques takes names once the catalogue is loaded.
        var command = await admin.PostAsync("/api/keys", new { name = Unique.Name("Set"), module = "UtilityCommand", command = "SetEventTechniques" });
        var commandKey = (await admin.GetAsync($"/api/keys/{command["id"]}/secret"))["headerValue"]!.GetValue<string>();
        var body = new JsonObject { ["Username"] = "admin", ["Site"] = Site, ["CommandParams"] = new JsonObject { ["Event IDs"] = new JsonArray(ids[2]), ["Techniques"] = new JsonArray("PowerShell") } };
        var request = new HttpRequestMessage(HttpMethod.Post, "/VSOC/api/Command/SetEventTechniques") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("d3key", commandKey);
        var set = await GatehouseClient.Json(await admin.Http.SendAsync(request), HttpStatusCode.OK);
        Assert.Equal("", set["error"]!.GetValue<string>());
        var row = set["contextData"]![0]!["techniques"]![0]!;
        Assert.Equal(("TA0002", "Execution", "T1059.001", "PowerShell"),
            (row["TacticId"]!.GetValue<string>(), row["TacticName"]!.GetValue<string>(), row["TechniqueId"]!.GetValue<string>(), row["TechniqueName"]!.GetValue<string>()));
    }
}

public sealed class TtpSearchTestsOnSqlite() : TtpSearchTests(Provider.Sqlite);

public sealed class TtpSearchTestsOnPostgres() : TtpSearchTests(Provider.Postgres);

public class AttackImportTests
{
    [Fact]
    public void Attack_import_checks_the_bundle_and_installs_it_in_the_data_directory()
    {
        var bundle = SharedData.Path("attack/enterprise-attack-18.1.json");
        var dataDirectory = TempFolder.Create();
        var notABundle = Path.Combine(dataDirectory, "x.json");
        File.WriteAllText(notABundle, "{\"hello\":1}");
        string[] Gatehouse(params string[] args) => [Path.Combine(AppContext.BaseDirectory, "gatehouse.dll"), .. args];

        var imported = JwtTestKit.Run("dotnet", Gatehouse("attack", "import", bundle, "--data-directory", dataDirectory), null);
        var refused = JwtTestKit.Run("dotnet", Gatehouse("attack", "import", notABundle, "--data-directory", dataDirectory), null);

        Assert.True(imported.ExitCode == 0, imported.Error);
        Assert.Contains("691 techniques and 14 tactics", imported.Output);
        Assert.True(File.Exists(Path.Combine(dataDirectory, "attack", "enterprise-attack.json")));
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("not a MITRE ATT&CK STIX bundle", refused.Error);
    }
}
