using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Gatehouse.Core.Sigma;

namespace Gatehouse.Core.Tests.Sigma;

/// <summary>
/// The same Windows event in the shapes SIEMs forward it in must match the same rules: SigmaHQ's
/// regression events, converted here the way each forwarder would, and small hand-written events.
/// </summary>
public sealed class EventShapeTests(ITestOutputHelper output)
{
    private static readonly Lazy<SigmaRuleSet> AllRules = new(() => SigmaRuleSet.Load(SharedData.Path("sigma/rules")));

    private static readonly (string Name, Func<JsonObject, JsonObject> Convert)[] Shapes =
    [
        ("NXLog", Forwarders.NxLog),
        ("Winlogbeat legacy", Forwarders.WinlogbeatLegacy),
        ("Winlogbeat 7+ ECS", Forwarders.Ecs),
        ("Sentinel SecurityEvent", Forwarders.SecurityEvent),
        ("Sentinel WindowsEvent", Forwarders.WindowsEvent),
    ];

    [Fact]
    public void Every_regression_event_matches_its_rule_in_every_shape()
    {
        var rules = AllRules.Value;
        var byId = rules.Rules.ToDictionary(r => r.Id, StringComparer.OrdinalIgnoreCase);
        var cases = SigmaRegression.Load(SharedData.Path("sigma/regression"))
            .Where(c => byId.ContainsKey(c.RuleId) && c.Events.Any(e => e is JsonObject o && o["Event"] is JsonObject))
            .ToList();
        var failures = new List<string>();
        foreach (var (name, convert) in Shapes)
        {
            var matched = 0;
            var tested = 0;
            foreach (var regression in cases)
            {
                var rule = byId[regression.RuleId];
                var events = regression.Events.OfType<JsonObject>().Where(e => e["Event"] is JsonObject).ToList();
                if (!events.Any(e => rules.Match(new SigmaEvent(e)).Any(h => h.Rule == rule)))
                {
                    continue; // the conformance test reports it
                }
                tested++;
                var shaped = events.Select(convert).ToList();
                if (shaped.Any(e => rules.Match(new SigmaEvent(e)).Any(h => h.Rule == rule)))
                {
                    matched++;
                }
                else
                {
                    failures.Add($"{name}: {regression.Folder} ({rule.Title})\n    {shaped[0].ToJsonString()[..Math.Min(600, shaped[0].ToJsonString().Length)]}");
                }
            }
            output.WriteLine($"{name}: {matched}/{tested} regression cases match their rule ({100.0 * matched / Math.Max(1, tested):F1} %)");
        }
        failures.ForEach(f => output.WriteLine("  FAILED  " + f));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void NxLog_flat_json_is_recognised()
    {
        var raw = JsonNode.Parse("""
            {"EventTime":"2024-05-01 10:00:00","Hostname":"ws01.corp","SourceName":"Microsoft-Windows-Sysmon",
             "Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"Image":"C:\\Windows\\System32\\whoami.exe",
             "CommandLine":"whoami /all","ParentImage":"C:\\Windows\\System32\\cmd.exe"}
            """);
        var evt = new SigmaEvent(raw);
        Assert.Equal(WindowsEventShape.NxLog, evt.Windows.Shape);
        Assert.Equal("Microsoft-Windows-Sysmon", evt.First("Provider_Name"));
        Assert.Equal("ws01.corp", evt.First("Computer"));
        var source = SigmaLogSource.EventSource.Of(evt);
        Assert.Equal(("windows", "Microsoft-Windows-Sysmon/Operational"), (source.Product, source.Channel));
        Assert.Equal(["process_creation"], source.Categories!);

        var classic = new SigmaEvent(JsonNode.Parse("""
            {"Hostname":"ws01","SourceName":"PowerShell","Channel":"Windows PowerShell","EventID":400,
             "Message":"Engine state is changed from None to Available. HostName=ConsoleHost HostApplication=powershell.exe -nop"}
            """));
        Assert.Contains("HostName=ConsoleHost", classic.First("Data"));
        Assert.Equal(["ps_classic_start"], SigmaLogSource.EventSource.Of(classic).Categories!);
    }

    [Fact]
    public void Winlogbeat_legacy_is_recognised()
    {
        var evt = new SigmaEvent(JsonNode.Parse("""
            {"log_name":"Security","event_id":4688,"source_name":"Microsoft-Windows-Security-Auditing","computer_name":"dc01",
             "event_data":{"NewProcessName":"C:\\Windows\\System32\\net.exe","CommandLine":"net user /domain"},
             "user_data":{"Extra":"x"}}
            """));
        Assert.Equal(WindowsEventShape.WinlogbeatLegacy, evt.Windows.Shape);
        Assert.Equal("Security", evt.First("Channel"));
        Assert.Equal("4688", evt.First("EventID"));
        Assert.Equal("Microsoft-Windows-Security-Auditing", evt.First("Provider_Name"));
        Assert.Equal("dc01", evt.First("Computer"));
        Assert.Equal("net user /domain", evt.First("CommandLine"));
        Assert.Equal("C:\\Windows\\System32\\net.exe", evt.First("Image"));
        Assert.Equal("x", evt.First("Extra"));
        Assert.Equal(["process_creation"], SigmaLogSource.EventSource.Of(evt).Categories!);
    }

    [Fact]
    public void Ecs_fields_answer_their_sigma_names()
    {
        var evt = new SigmaEvent(JsonNode.Parse("""
            {"@timestamp":"2024-05-01T10:00:00Z","event":{"code":"1","kind":"event"},"host":{"name":"ws01"},
             "winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":1,"provider_name":"Microsoft-Windows-Sysmon",
                       "computer_name":"ws01.corp","event_data":{"IntegrityLevel":"High"}},
             "process":{"executable":"C:\\Windows\\System32\\rundll32.exe","command_line":"rundll32 x.dll,Go",
                        "pe":{"original_file_name":"RUNDLL32.EXE"},
                        "parent":{"executable":"C:\\Windows\\explorer.exe","command_line":"explorer.exe"}},
             "user":{"name":"CORP\\alice"},"file":{"path":"C:\\Temp\\a.txt"},"registry":{"path":"HKLM\\SOFTWARE\\X"},
             "dns":{"question":{"name":"evil.example"}},"source":{"ip":"10.0.0.5"},
             "destination":{"ip":"203.0.113.9","port":443}}
            """));
        Assert.Equal(WindowsEventShape.Ecs, evt.Windows.Shape);
        Assert.Equal((string?)"Microsoft-Windows-Sysmon/Operational", evt.First("Channel"));
        Assert.Equal("1", evt.First("EventID"));
        Assert.Equal("Microsoft-Windows-Sysmon", evt.First("Provider_Name"));
        Assert.Equal("ws01.corp", evt.First("Computer"));
        Assert.Equal("C:\\Windows\\System32\\rundll32.exe", evt.First("Image"));
        Assert.Equal("rundll32 x.dll,Go", evt.First("CommandLine"));
        Assert.Equal("RUNDLL32.EXE", evt.First("OriginalFileName"));
        Assert.Equal("C:\\Windows\\explorer.exe", evt.First("ParentImage"));
        Assert.Equal("explorer.exe", evt.First("ParentCommandLine"));
        Assert.Equal("CORP\\alice", evt.First("User"));
        Assert.Equal("C:\\Temp\\a.txt", evt.First("TargetFilename"));
        Assert.Equal("HKLM\\SOFTWARE\\X", evt.First("TargetObject"));
        Assert.Equal("evil.example", evt.First("QueryName"));
        Assert.Equal("10.0.0.5", evt.First("SourceIp"));
        Assert.Equal("203.0.113.9", evt.First("DestinationIp"));
        Assert.Equal("443", evt.First("DestinationPort"));
        Assert.Equal("High", evt.First("IntegrityLevel"));
        Assert.Equal(["process_creation"], SigmaLogSource.EventSource.Of(evt).Categories!);

        // ECS data that is not from a Windows log (no winlog) gets no Windows names.
        var linux = new SigmaEvent(JsonNode.Parse("""{"process":{"executable":"/usr/bin/id"},"user":{"name":"root"}}"""));
        Assert.Equal(WindowsEventShape.None, linux.Windows.Shape);
        Assert.Null(linux.First("Image"));
    }

    [Fact]
    public void Sentinel_rows_read_their_xml_or_json_event_data()
    {
        var row = new SigmaEvent(JsonNode.Parse("""
            {"Type":"SecurityEvent","TimeGenerated":"2024-05-01T10:00:00Z","Computer":"dc01.corp","EventSourceName":"Microsoft-Windows-Security-Auditing",
             "Channel":"security","EventID":4688,"Activity":"4688 - A new process has been created.",
             "EventData":"<EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><Data Name=\"NewProcessName\">C:\\Windows\\System32\\whoami.exe</Data><Data Name=\"CommandLine\">whoami &amp; hostname</Data><Data Name=\"Empty\"/></EventData>"}
            """));
        Assert.Equal(WindowsEventShape.SentinelSecurityEvent, row.Windows.Shape);
        Assert.Equal("C:\\Windows\\System32\\whoami.exe", row.First("Image"));
        Assert.Equal("whoami & hostname", row.First("CommandLine"));
        Assert.Equal("", row.First("Empty"));
        Assert.Equal("Microsoft-Windows-Security-Auditing", row.First("Provider_Name"));
        var source = SigmaLogSource.EventSource.Of(row);
        Assert.Equal(["process_creation"], source.Categories!);
        Assert.True(new SigmaLogSource("windows", "process_creation", null).Accepts(source));
        Assert.True(new SigmaLogSource("windows", null, "security").Accepts(source));

        var windowsEvent = new SigmaEvent(JsonNode.Parse("""
            {"Type":"WindowsEvent","Computer":"ws01","Provider":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational",
             "EventID":13,"EventData":{"TargetObject":"HKLM\\SOFTWARE\\Policies\\X\\Disable","Details":"0x00000001"}}
            """));
        Assert.Equal(WindowsEventShape.SentinelWindowsEvent, windowsEvent.Windows.Shape);
        Assert.Equal("Microsoft-Windows-Sysmon", windowsEvent.First("Provider_Name"));
        Assert.Contains("DWORD (0x00000001)", windowsEvent.Values("Details")!);
        Assert.Contains("registry_set", SigmaLogSource.EventSource.Of(windowsEvent).Categories!);
    }

    [Theory]
    [InlineData("1", "DWORD (0x00000001)")]
    [InlineData("0", "DWORD (0x00000000)")]
    [InlineData("0x00000d3d", "DWORD (0x00000d3d)")]
    [InlineData("0X2", "DWORD (0x00000002)")]
    [InlineData("4294967295", "DWORD (0xffffffff)")]
    [InlineData("4294967296", null)]
    [InlineData("-1", null)]
    [InlineData("DWORD (0x00000001)", null)]
    [InlineData("C:\\x.exe", null)]
    public void Registry_numbers_also_answer_sysmons_dword_form(string value, string? dword) =>
        Assert.Equal(dword, WindowsEventShapes.DwordForm(value));

    [Fact]
    public void Hostile_xml_is_not_expanded_and_huge_xml_is_capped()
    {
        var laughs = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
             <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
            <EventData><Data Name="X">&lol3;</Data></EventData>
            """;
        Assert.DoesNotContain(WindowsEventShapes.EventDataXml(laughs), f => f.Value?.Contains("lol") == true);
        var external = """<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><EventData><Data Name="X">&e;</Data></EventData>""";
        Assert.Empty(WindowsEventShapes.EventDataXml(external));
        var undeclared = """<EventData><Data Name="A">a</Data><Data Name="X">&e;</Data></EventData>""";
        Assert.Equal([new KeyValuePair<string, string?>("A", "a")], WindowsEventShapes.EventDataXml(undeclared));

        var many = new StringBuilder("<EventData>");
        for (var i = 0; i < 100_000; i++)
        {
            many.Append(CultureInfo.InvariantCulture, $"<Data Name=\"F{i}\">v{i}</Data>");
        }
        many.Append("</EventData>");
        var fields = WindowsEventShapes.EventDataXml(many.ToString());
        Assert.InRange(fields.Count, 1, WindowsEventShapes.MaxXmlFields);
        Assert.Equal(new KeyValuePair<string, string?>("F0", "v0"), fields[0]);

        var huge = "<EventData><Data Name=\"Big\">" + new string('A', 5_000_000) + "</Data><Data Name=\"After\">x</Data></EventData>";
        var capped = WindowsEventShapes.EventDataXml(huge);
        Assert.DoesNotContain(capped, f => f.Key == "After");
        Assert.True(capped.Sum(f => f.Value?.Length ?? 0) <= WindowsEventShapes.MaxXmlChars);

        var row = JsonNode.Parse(JsonSerializer.Serialize(new { Type = "SecurityEvent", EventID = 4688, Channel = "Security", Computer = "x", EventData = laughs }));
        Assert.DoesNotContain(new SigmaEvent(row).Strings, s => s.Contains("lollol"));
    }

    [Fact]
    public void Channels_compare_in_any_case()
    {
        var evt = new SigmaEvent(JsonNode.Parse("""
            {"Event":{"System":{"Channel":"microsoft-windows-sysmon/operational","EventID":1},"EventData":{"Image":"C:\\x.exe"}}}
            """));
        Assert.Equal(WindowsEventShape.RenderedXml, evt.Windows.Shape);
        var source = SigmaLogSource.EventSource.Of(evt);
        Assert.Equal(["process_creation"], source.Categories!);
        Assert.False(new SigmaLogSource("windows", "file_event", null).Accepts(source));
    }
}

/// <summary>What each forwarder makes of a rendered Windows event (<c>Event.System</c>, <c>Event.EventData</c>).</summary>
internal static class Forwarders
{
    private sealed record Parts(
        string Channel, int EventId, string? Provider, string? Computer, string? Time, long? Record,
        List<KeyValuePair<string, JsonNode?>> EventData, List<KeyValuePair<string, JsonNode?>> UserData, string? UserDataElement);

    private static Parts Read(JsonObject rendered)
    {
        var evt = (JsonObject)rendered["Event"]!;
        var system = (JsonObject)evt["System"]!;
        var id = system["EventID"] is JsonObject qualified ? qualified["#text"] : system["EventID"];
        var eventData = new List<KeyValuePair<string, JsonNode?>>();
        if (evt["EventData"] is JsonObject data)
        {
            eventData.AddRange(data.Where(p => p.Key != "#attributes").Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value?.DeepClone())));
        }
        var userData = new List<KeyValuePair<string, JsonNode?>>();
        string? element = null;
        if (evt["UserData"] is JsonObject user)
        {
            foreach (var (name, inner) in user)
            {
                element = name;
                if (inner is JsonObject fields)
                {
                    userData.AddRange(fields.Where(p => p.Key != "#attributes").Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value?.DeepClone())));
                }
            }
        }
        return new Parts(
            system["Channel"]!.GetValue<string>(), int.Parse(id!.ToString(), CultureInfo.InvariantCulture),
            system["Provider"]?["#attributes"]?["Name"]?.GetValue<string>(), system["Computer"]?.GetValue<string>(),
            system["TimeCreated"]?["#attributes"]?["SystemTime"]?.GetValue<string>(),
            system["EventRecordID"]?.GetValue<long>(), eventData, userData, element);
    }

    private static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    /// <summary>NXLog im_msvistalog + to_json(): System fields renamed, EventData and UserData flattened to the top.</summary>
    public static JsonObject NxLog(JsonObject rendered)
    {
        var p = Read(rendered);
        var json = new JsonObject
        {
            ["EventTime"] = p.Time, ["Hostname"] = p.Computer, ["SourceName"] = p.Provider, ["Channel"] = p.Channel,
            ["EventID"] = p.EventId, ["RecordNumber"] = p.Record, ["EventType"] = "INFO",
        };
        var unnamed = new List<string>();
        foreach (var (name, value) in p.EventData.Concat(p.UserData))
        {
            if (name == "Data")
            {
                unnamed.AddRange(value is JsonArray items ? items.Select(i => Text(i) ?? "") : [Text(value) ?? ""]);
            }
            else if (!json.Any(k => k.Key.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                json[name] = value?.DeepClone();
            }
        }
        if (unnamed.Count > 0)
        {
            json["Message"] = string.Join("\r\n", unnamed);
        }
        return json;
    }

    /// <summary>Winlogbeat up to 6: log_name, event_id, source_name, computer_name, event_data, user_data.</summary>
    public static JsonObject WinlogbeatLegacy(JsonObject rendered)
    {
        var p = Read(rendered);
        var json = new JsonObject
        {
            ["@timestamp"] = p.Time, ["log_name"] = p.Channel, ["event_id"] = p.EventId, ["source_name"] = p.Provider,
            ["computer_name"] = p.Computer, ["record_number"] = p.Record?.ToString(CultureInfo.InvariantCulture), ["type"] = "wineventlog",
        };
        if (p.EventData.Count > 0)
        {
            json["event_data"] = Object(p.EventData);
        }
        if (p.UserData.Count > 0)
        {
            json["user_data"] = Object(p.UserData);
        }
        return json;
    }

    /// <summary>
    /// Winlogbeat 7+ in ECS: pySigma's ecs_windows mapping applied forward (SigmaHQ/pySigma-backend-elasticsearch,
    /// sigma/pipelines/elasticsearch/windows.py, 4e67dff27759d4b111659b67aa749c17cae55cab): the log-source dependent
    /// mappings first, then the static ones; a field renamed leaves winlog.event_data; the rest stays there.
    /// </summary>
    public static JsonObject Ecs(JsonObject rendered)
    {
        var p = Read(rendered);
        var categories = SigmaLogSource.EventSource.Of(new SigmaEvent(rendered)).Categories ?? [];
        var service = p.Channel switch { "Security" => "security", "Windows PowerShell" => "powershell-classic", _ => "" };
        var json = new JsonObject
        {
            ["@timestamp"] = p.Time,
            ["event"] = new JsonObject { ["code"] = p.EventId.ToString(CultureInfo.InvariantCulture), ["provider"] = p.Provider, ["kind"] = "event" },
            ["host"] = new JsonObject { ["name"] = p.Computer },
            ["winlog"] = new JsonObject
            {
                ["channel"] = p.Channel, ["event_id"] = p.EventId, ["provider_name"] = p.Provider, ["computer_name"] = p.Computer, ["record_id"] = p.Record,
            },
        };
        var eventData = new List<KeyValuePair<string, JsonNode?>>();
        foreach (var (name, value) in p.EventData)
        {
            var target = Variable(name, categories, service) ?? Static.GetValueOrDefault(name);
            if (target is null || !Set(json, target, value))
            {
                eventData.Add(new(name, value));
            }
        }
        if (eventData.Count > 0)
        {
            json["winlog"]!["event_data"] = Object(eventData);
        }
        if (p.UserData.Count > 0)
        {
            json["winlog"]!["user_data"] = Object(p.UserData);
        }
        return json;
    }

    /// <summary>A Sentinel SecurityEvent row: EventData (or UserData) as an XML string.</summary>
    public static JsonObject SecurityEvent(JsonObject rendered)
    {
        var p = Read(rendered);
        XNamespace ns = "http://schemas.microsoft.com/win/2004/08/events/event";
        var xml = p.UserDataElement is { } element
            ? new XElement("UserData", new XElement(element, p.UserData.Select(f => new XElement(f.Key, Text(f.Value) ?? ""))))
            : new XElement(ns + "EventData", p.EventData.SelectMany(f => f.Value is JsonArray items
                ? items.Select(i => Data(ns, f.Key, i))
                : [Data(ns, f.Key, f.Value)]));
        return new JsonObject
        {
            ["Type"] = "SecurityEvent", ["TimeGenerated"] = p.Time, ["Computer"] = p.Computer, ["EventSourceName"] = p.Provider,
            ["Channel"] = p.Channel, ["EventID"] = p.EventId, ["Activity"] = $"{p.EventId} - ", ["EventData"] = xml.ToString(SaveOptions.DisableFormatting),
        };
    }

    /// <summary>A Sentinel WindowsEvent row: Provider, EventData as a JSON object.</summary>
    public static JsonObject WindowsEvent(JsonObject rendered)
    {
        var p = Read(rendered);
        return new JsonObject
        {
            ["Type"] = "WindowsEvent", ["TimeGenerated"] = p.Time, ["Computer"] = p.Computer, ["Provider"] = p.Provider,
            ["Channel"] = p.Channel, ["EventID"] = p.EventId, ["EventData"] = Object(p.EventData.Concat(p.UserData)),
        };
    }

    private static XElement Data(XNamespace ns, string name, JsonNode? value)
    {
        var data = name == "Data" ? new XElement(ns + "Data") : new XElement(ns + "Data", new XAttribute("Name", name));
        if (Text(value) is { } text)
        {
            data.Value = text;
        }
        return data;
    }

    private static JsonObject Object(IEnumerable<KeyValuePair<string, JsonNode?>> fields)
    {
        var obj = new JsonObject();
        foreach (var (name, value) in fields)
        {
            obj[name] = value?.DeepClone();
        }
        return obj;
    }

    /// <summary>Sets a dotted ECS path unless it is taken.</summary>
    private static bool Set(JsonObject root, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var node = root;
        foreach (var part in parts[..^1])
        {
            if (node[part] is not JsonObject child)
            {
                if (node.ContainsKey(part))
                {
                    return false;
                }
                node[part] = child = new JsonObject();
            }
            node = child;
        }
        if (node.ContainsKey(parts[^1]))
        {
            return false;
        }
        node[parts[^1]] = value?.DeepClone();
        return true;
    }

    private static string? Variable(string field, IReadOnlyList<string> categories, string service) => field switch
    {
        "FileVersion" or "Description" or "Product" or "Company" or "OriginalFileName" when categories.Contains("process_creation") =>
            "process.pe." + Snake(field),
        "FileVersion" or "Description" or "Product" or "Company" or "OriginalFileName" when categories.Contains("image_load") =>
            "file.pe." + Snake(field),
        "CommandLine" when categories.Contains("process_creation") || service == "security" => "process.command_line",
        "CommandLine" when service == "powershell-classic" => "powershell.command.value",
        "Protocol" when categories.Contains("network_connection") => "network.transport",
        "Initiated" when categories.Contains("network_connection") => "network.direction",
        "EngineVersion" when service == "powershell-classic" => "powershell.engine.version",
        "HostVersion" when service == "powershell-classic" => "powershell.process.executable_version",
        "SubjectLogonId" or "TargetLogonId" when service == "security" => "winlog.logon.id",
        "ServiceName" when service == "security" => "service.name",
        "SubjectDomainName" when service == "security" => "user.domain",
        "SubjectUserName" when service == "security" => "user.name",
        "SubjectUserSid" when service == "security" => "user.id",
        _ => null,
    };

    private static string Snake(string field) => field == "OriginalFileName" ? "original_file_name" : field == "FileVersion" ? "file_version" : field.ToLowerInvariant();

    private static readonly Dictionary<string, string> Static = new()
    {
        ["ComputerName"] = "winlog.computer_name", ["FileName"] = "file.path", ["ProcessGuid"] = "process.entity_id",
        ["ProcessId"] = "process.pid", ["Image"] = "process.executable", ["CurrentDirectory"] = "process.working_directory",
        ["ParentProcessGuid"] = "process.parent.entity_id", ["ParentProcessId"] = "process.parent.pid",
        ["ParentImage"] = "process.parent.executable", ["ParentCommandLine"] = "process.parent.command_line",
        ["TargetFilename"] = "file.path", ["SourceIp"] = "source.ip", ["SourceHostname"] = "source.domain", ["SourcePort"] = "source.port",
        ["DestinationIp"] = "destination.ip", ["DestinationHostname"] = "destination.domain", ["DestinationPort"] = "destination.port",
        ["DestinationPortName"] = "network.protocol", ["ImageLoaded"] = "file.path", ["Signed"] = "file.code_signature.signed",
        ["SignatureStatus"] = "file.code_signature.status", ["Imphash"] = "file.pe.imphash", ["SourceProcessGuid"] = "process.entity_id",
        ["SourceProcessId"] = "process.pid", ["SourceImage"] = "process.executable", ["Device"] = "file.path",
        ["SourceThreadId"] = "process.thread.id", ["TargetObject"] = "registry.path", ["PipeName"] = "file.name",
        ["Destination"] = "process.executable", ["QueryName"] = "dns.question.name", ["QueryStatus"] = "sysmon.dns.status",
        ["IsExecutable"] = "sysmon.file.is_executable", ["Archived"] = "sysmon.file.archived", ["CommandName"] = "powershell.command.name",
        ["CommandPath"] = "powershell.command.path", ["CommandType"] = "powershell.command.type", ["HostApplication"] = "process.command_line",
        ["HostId"] = "process.entity_id", ["HostName"] = "process.title", ["NewEngineState"] = "powershell.engine.new_state",
        ["PipelineId"] = "powershell.pipeline_id", ["PreviousEngineState"] = "powershell.engine.previous_state",
        ["RunspaceId"] = "powershell.runspace_id", ["ScriptName"] = "file.path", ["SequenceNumber"] = "event.sequence",
        ["NewProviderState"] = "powershell.provider.new_state", ["ProviderName"] = "powershell.provider.name",
        ["MessageNumber"] = "powershell.sequence", ["MessageTotal"] = "powershell.total",
        ["ScriptBlockText"] = "powershell.file.script_block_text", ["ScriptBlockId"] = "powershell.file.script_block_id",
        ["AccountDomain"] = "user.domain", ["AccountName"] = "user.name", ["Application"] = "process.executable",
        ["ClientAddress"] = "source.ip", ["ClientName"] = "source.domain", ["DestAddress"] = "destination.ip", ["DestPort"] = "destination.port",
        ["IpAddress"] = "source.ip", ["IpPort"] = "source.port", ["NewProcessId"] = "process.pid", ["NewProcessName"] = "process.executable",
        ["ParentProcessName"] = "process.parent.name", ["ProcessName"] = "process.executable", ["SourceAddress"] = "source.ip",
        ["TargetDomainName"] = "user.domain", ["User"] = "user.name", ["WorkstationName"] = "source.domain",
        ["Payload"] = "powershell.file.script_block_text",
    };
}
