using System.Text.Json.Nodes;
using Gatehouse.Core.Attack;
using Gatehouse.Core.Tests.Attack;
using Gatehouse.Core.Sigma;

namespace Gatehouse.Core.Tests.Sigma;

/// <summary>
/// The precision suite: routine events, in the shapes SIEMs forward them, must report no technique with every
/// SigmaHQ rule loaded, and no rule may fire on more than half of a realistic stream of mixed events.
/// </summary>
public sealed class SigmaPrecisionTests(ITestOutputHelper output)
{
    /// <summary>Every SigmaHQ rule, with the default minimum level (informational rules tag every logoff: they enrich, they do not detect).</summary>
    private static readonly Lazy<SigmaRuleSet> AllRules = new(() => SigmaRuleSet.Load(SharedData.Path("sigma/rules"), SigmaLevels.Low));
    private static Lazy<AttackCatalog> Catalog => MitreBundle.Catalog;

    /// <summary>Routine events: logins, logoffs, service starts, routine PowerShell, cloud audit rows, SIEM alerts.</summary>
    public static TheoryData<string, string> Benign() => new()
    {
        { "4624 logon, rendered XML", """{"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Security-Auditing"}},"EventID":4624,"Channel":"Security","Computer":"WS-042.corp.example.com"},"EventData":{"SubjectUserSid":"S-1-5-18","SubjectUserName":"WS-042$","TargetUserName":"alice","TargetDomainName":"CORP","LogonType":2,"LogonProcessName":"User32","AuthenticationPackageName":"Negotiate","WorkstationName":"WS-042","IpAddress":"127.0.0.1","ProcessName":"C:\\Windows\\System32\\svchost.exe"}}}""" },
        { "4624 network logon, NXLog", """{"EventTime":"2026-12-01 09:15:02","Hostname":"DC01.corp.example.com","Keywords":-9214364837600034816,"EventType":"AUDIT_SUCCESS","SeverityValue":2,"Severity":"INFO","EventID":4624,"SourceName":"Microsoft-Windows-Security-Auditing","ProviderGuid":"{54849625-5478-4994-A5BA-3E3B0328C30D}","Channel":"Security","Category":"Logon","TargetUserName":"bob","TargetDomainName":"CORP","LogonType":"3","LogonProcessName":"Kerberos","AuthenticationPackageName":"Kerberos","IpAddress":"10.20.30.40","IpPort":"51234","ObjectServer":"Security Account Manager","Message":"An account was successfully logged on."}""" },
        { "4634 logoff, Winlogbeat legacy", """{"@timestamp":"2026-12-01T09:20:00Z","beat":{"name":"WS-042"},"log_name":"Security","event_id":4634,"source_name":"Microsoft-Windows-Security-Auditing","computer_name":"WS-042.corp.example.com","event_data":{"TargetUserName":"alice","TargetDomainName":"CORP","LogonType":"2"},"message":"An account was logged off."}""" },
        { "7036 service running, ECS", """{"@timestamp":"2026-12-01T09:00:00Z","event":{"code":"7036","provider":"Service Control Manager","kind":"event"},"winlog":{"channel":"System","event_id":7036,"provider_name":"Service Control Manager","computer_name":"WS-042.corp.example.com","event_data":{"param1":"Windows Update","param2":"running"}},"host":{"name":"WS-042"},"message":"The Windows Update service entered the running state."}""" },
        { "4104 routine script block, rendered XML", """{"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-PowerShell"}},"EventID":4104,"Channel":"Microsoft-Windows-PowerShell/Operational","Computer":"WS-042"},"EventData":{"MessageNumber":1,"MessageTotal":1,"ScriptBlockText":"Get-Date -Format yyyy-MM-dd","ScriptBlockId":"5b3c2f1e-0000-4000-8000-000000000001","Path":""}}}""" },
        { "400 PowerShell engine start, NXLog", """{"EventID":400,"SourceName":"PowerShell","Channel":"Windows PowerShell","Hostname":"WS-042","Message":"Engine state is changed from None to Available. Details: NewEngineState=Available PreviousEngineState=None SequenceNumber=13 HostName=ConsoleHost HostVersion=5.1.19041.1 HostApplication=C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe EngineVersion=5.1.19041.1"}""" },
        { "AWS CloudTrail console login", """{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","userName":"alice"},"eventTime":"2026-12-01T09:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"Yes"}}""" },
        { "Kibana login-success alert", """{"hits":{"hits":{"_source":{"rawData":{"rule":{"name":"User login success"},"user":{"name":"alice"},"event":{"category":"authentication","outcome":"success"}},"event.type":"","kibana.alert.severity":"low"}}}}""" },
        { "Sentinel incident alert", """{"IncidentNumber":1042,"Title":"Sign-in from a new country","Severity":"Medium","Status":"New","ProviderName":"Azure Sentinel","Tactics":"InitialAccess","Entities":[{"Type":"account","Name":"alice"}]}""" },
    };

    [Theory]
    [MemberData(nameof(Benign))]
    public void A_routine_event_reports_no_technique(string name, string json)
    {
        var matches = TtpSearch.Search(JsonNode.Parse(json), new Dictionary<string, string>(), Catalog.Value, AllRules.Value);

        Assert.True(matches.Count == 0, $"{name}: {string.Join("; ", matches.Select(m => $"{m.TechniqueId} by {m.Layer} {string.Join(",", m.Evidence.Select(e => e.Rule?.Title ?? e.Field))}"))}");
    }

    [Fact]
    public void No_rule_fires_on_more_than_half_of_a_stream_of_mixed_events()
    {
        var stream = Benign().Select(row => JsonNode.Parse(row.Data.Item2)!).Concat(SigmaRegression.Load(SharedData.Path("sigma/regression")).SelectMany(c => c.Events)).ToList();

        var fired = stream.SelectMany(evt => AllRules.Value.Match(new SigmaEvent(evt)).Select(h => h.Rule.Title)).GroupBy(t => t).Select(g => (Rule: g.Key, Count: g.Count())).OrderByDescending(g => g.Count).ToList();

        output.WriteLine($"{stream.Count} events; most frequent rules: {string.Join("; ", fired.Take(5).Select(f => $"{f.Rule} ×{f.Count}"))}");
        Assert.All(fired, f => Assert.True(f.Count <= stream.Count / 2, $"{f.Rule} fired on {f.Count} of {stream.Count} events"));
    }
}
