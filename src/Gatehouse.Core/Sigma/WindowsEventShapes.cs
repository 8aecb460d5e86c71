using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;

namespace Gatehouse.Core.Sigma;

/// <summary>The shapes in which SIEMs and forwarders send a Windows event.</summary>
public enum WindowsEventShape
{
    /// <summary>Not a Windows event, or nothing tells it.</summary>
    None,
    /// <summary>The rendered XML as JSON: <c>Event.System.*</c>, <c>Event.EventData.*</c>.</summary>
    RenderedXml,
    /// <summary>NXLog's flat JSON: <c>Channel</c>, <c>EventID</c>, <c>SourceName</c>, <c>Hostname</c>, EventData at top level.</summary>
    NxLog,
    /// <summary>Winlogbeat up to version 6: <c>log_name</c>, <c>event_id</c>, <c>source_name</c>, <c>event_data.*</c>.</summary>
    WinlogbeatLegacy,
    /// <summary>Winlogbeat 7+ / Elastic Common Schema: <c>winlog.*</c> and ECS fields.</summary>
    Ecs,
    /// <summary>A Microsoft Sentinel <c>SecurityEvent</c> row (EventData as an XML string).</summary>
    SentinelSecurityEvent,
    /// <summary>A Microsoft Sentinel <c>WindowsEvent</c> row (<c>Provider</c>; EventData as JSON or XML).</summary>
    SentinelWindowsEvent,
}

/// <summary>What a Windows event's shape says: its source and the extra Sigma fields it answers.</summary>
public sealed record WindowsEventView(
    WindowsEventShape Shape, string? Channel, int? EventId, IReadOnlyList<KeyValuePair<string, string?>> Fields)
{
    public static readonly WindowsEventView None = new(WindowsEventShape.None, null, null, []);
}

/// <summary>
/// Recognises, per event and without configuration, the shape a Windows event arrives in, and maps
/// it onto Sigma's Windows field names (the names of the rendered XML: <c>Channel</c>,
/// <c>EventID</c>, <c>Provider_Name</c>, <c>Computer</c> and the EventData names), so that the same
/// rules match the same event whatever forwarder sent it. Pure: reads the JSON, changes nothing.
/// </summary>
public static class WindowsEventShapes
{
    /// <summary>An XML EventData string longer than this is read only up to it.</summary>
    public const int MaxXmlChars = 256 * 1024;

    /// <summary>At most this many fields are read from an XML EventData string.</summary>
    public const int MaxXmlFields = 1024;

    private const int MaxDepth = 64;

    /// <summary>
    /// Elastic Common Schema names and the Sigma names they stand for: pySigma's <c>ecs_windows</c>
    /// pipeline (Winlogbeat 7+) applied in reverse. Source: SigmaHQ/pySigma-backend-elasticsearch,
    /// sigma/pipelines/elasticsearch/windows.py at commit 4e67dff27759d4b111659b67aa749c17cae55cab —
    /// the static <c>ecs_windows_field_mapping</c> and the log-source dependent
    /// <c>ecs_windows_variable_mappings</c> (both directions of the latter are taken whatever the
    /// log source: the rule's own log source already keeps it off events of other kinds). Several
    /// Sigma names share one ECS name (<c>file.path</c> is TargetFilename, ImageLoaded, ScriptName…):
    /// an ECS value answers each, and only where the event lacks that name itself.
    /// Fields the mapping leaves alone travel as <c>winlog.event_data.X</c>, whose leaf name X is the
    /// Sigma name already.
    /// </summary>
    private static readonly (string Sigma, string Ecs)[] EcsWindows =
    [
        // ecs_windows_field_mapping
        ("EventID", "event.code"), ("Channel", "winlog.channel"), ("Provider_Name", "winlog.provider_name"),
        ("ComputerName", "winlog.computer_name"), ("FileName", "file.path"), ("ProcessGuid", "process.entity_id"),
        ("ProcessId", "process.pid"), ("Image", "process.executable"), ("CurrentDirectory", "process.working_directory"),
        ("ParentProcessGuid", "process.parent.entity_id"), ("ParentProcessId", "process.parent.pid"),
        ("ParentImage", "process.parent.executable"), ("ParentCommandLine", "process.parent.command_line"),
        ("TargetFilename", "file.path"), ("SourceIp", "source.ip"), ("SourceHostname", "source.domain"),
        ("SourcePort", "source.port"), ("DestinationIp", "destination.ip"), ("DestinationHostname", "destination.domain"),
        ("DestinationPort", "destination.port"), ("DestinationPortName", "network.protocol"), ("ImageLoaded", "file.path"),
        ("Signed", "file.code_signature.signed"), ("SignatureStatus", "file.code_signature.status"),
        ("Imphash", "file.pe.imphash"), ("SourceProcessGuid", "process.entity_id"), ("SourceProcessId", "process.pid"),
        ("SourceImage", "process.executable"), ("Device", "file.path"), ("SourceThreadId", "process.thread.id"),
        ("TargetObject", "registry.path"), ("PipeName", "file.name"), ("Destination", "process.executable"),
        ("QueryName", "dns.question.name"), ("QueryStatus", "sysmon.dns.status"), ("IsExecutable", "sysmon.file.is_executable"),
        ("Archived", "sysmon.file.archived"), ("CommandName", "powershell.command.name"),
        ("CommandPath", "powershell.command.path"), ("CommandType", "powershell.command.type"),
        ("HostApplication", "process.command_line"), ("HostId", "process.entity_id"), ("HostName", "process.title"),
        ("NewEngineState", "powershell.engine.new_state"), ("PipelineId", "powershell.pipeline_id"),
        ("PreviousEngineState", "powershell.engine.previous_state"), ("RunspaceId", "powershell.runspace_id"),
        ("ScriptName", "file.path"), ("SequenceNumber", "event.sequence"), ("NewProviderState", "powershell.provider.new_state"),
        ("ProviderName", "powershell.provider.name"), ("MessageNumber", "powershell.sequence"), ("MessageTotal", "powershell.total"),
        ("ScriptBlockText", "powershell.file.script_block_text"), ("ScriptBlockId", "powershell.file.script_block_id"),
        ("AccountDomain", "user.domain"), ("AccountName", "user.name"), ("Application", "process.executable"),
        ("ClientAddress", "source.ip"), ("ClientName", "source.domain"), ("DestAddress", "destination.ip"),
        ("DestPort", "destination.port"), ("IpAddress", "source.ip"), ("IpPort", "source.port"), ("NewProcessId", "process.pid"),
        ("NewProcessName", "process.executable"), ("ParentProcessName", "process.parent.name"),
        ("ProcessName", "process.executable"), ("SourceAddress", "source.ip"), ("TargetDomainName", "user.domain"),
        ("User", "user.name"), ("WorkstationName", "source.domain"), ("Payload", "powershell.file.script_block_text"),
        // ecs_windows_variable_mappings
        ("FileVersion", "process.pe.file_version"), ("FileVersion", "file.pe.file_version"),
        ("Description", "process.pe.description"), ("Description", "file.pe.description"),
        ("Product", "process.pe.product"), ("Product", "file.pe.product"),
        ("Company", "process.pe.company"), ("Company", "file.pe.company"),
        ("OriginalFileName", "process.pe.original_file_name"), ("OriginalFileName", "file.pe.original_file_name"),
        ("CommandLine", "process.command_line"), ("CommandLine", "powershell.command.value"),
        ("Protocol", "network.transport"), ("Initiated", "network.direction"),
        ("Signature", "file.code_signature.subject_name"), ("EngineVersion", "powershell.engine.version"),
        ("HostVersion", "powershell.process.executable_version"), ("SubjectLogonId", "winlog.logon.id"),
        ("ServiceName", "service.name"), ("SubjectDomainName", "user.domain"), ("SubjectUserName", "user.name"),
        ("SubjectUserSid", "user.id"), ("TargetLogonId", "winlog.logon.id"),
    ];

    private static readonly Dictionary<string, string[]> SigmaByEcs = EcsWindows
        .GroupBy(m => m.Ecs, StringComparer.OrdinalIgnoreCase)
        .ToDictionary(g => g.Key, g => g.Select(m => m.Sigma).Distinct(StringComparer.OrdinalIgnoreCase).ToArray(), StringComparer.OrdinalIgnoreCase);

    /// <summary>Recognises the event's shape and what it answers under Sigma's Windows names.</summary>
    public static WindowsEventView Recognise(JsonNode? raw)
    {
        if (raw is not JsonObject root)
        {
            return WindowsEventView.None;
        }
        if (Get(root, "Event") is JsonObject evt && Get(evt, "System") is JsonObject system)
        {
            return new WindowsEventView(WindowsEventShape.RenderedXml, Scalar(Get(system, "Channel")), Id(Get(system, "EventID")), []);
        }
        if (Get(root, "winlog") is JsonObject || root.Any(p => p.Key.StartsWith("winlog.", StringComparison.OrdinalIgnoreCase)))
        {
            return Ecs(root);
        }
        if (Get(root, "log_name") is not null || (Get(root, "event_id") is not null && (Get(root, "source_name") ?? Get(root, "computer_name")) is not null))
        {
            return WinlogbeatLegacy(root);
        }
        if (Get(root, "EventID") is null)
        {
            return WindowsEventView.None;
        }
        var eventData = Get(root, "EventData");
        var type = Scalar(Get(root, "Type"));
        if (Get(root, "Provider") is not null || string.Equals(type, "WindowsEvent", StringComparison.OrdinalIgnoreCase))
        {
            return Sentinel(root, WindowsEventShape.SentinelWindowsEvent, "Provider");
        }
        if (eventData is JsonValue || Get(root, "EventSourceName") is not null || string.Equals(type, "SecurityEvent", StringComparison.OrdinalIgnoreCase))
        {
            return Sentinel(root, WindowsEventShape.SentinelSecurityEvent, "EventSourceName");
        }
        if (Get(root, "Channel") is not null || Get(root, "SourceName") is not null)
        {
            return NxLog(root);
        }
        return WindowsEventView.None;
    }

    private static WindowsEventView NxLog(JsonObject root)
    {
        var fields = new List<KeyValuePair<string, string?>>();
        var channel = Scalar(Get(root, "Channel"));
        AddFrom(fields, "Provider_Name", Get(root, "SourceName"));
        AddFrom(fields, "Computer", Get(root, "Hostname"));
        // Classic PowerShell events have unnamed EventData, which NXLog does not keep: the text is in Message.
        if (string.Equals(channel, "Windows PowerShell", StringComparison.OrdinalIgnoreCase))
        {
            AddFrom(fields, "Data", Get(root, "Message"));
        }
        return new WindowsEventView(WindowsEventShape.NxLog, channel, Id(Get(root, "EventID")), fields);
    }

    private static WindowsEventView WinlogbeatLegacy(JsonObject root)
    {
        var fields = new List<KeyValuePair<string, string?>>();
        var channel = Scalar(Get(root, "log_name"));
        var id = Get(root, "event_id");
        AddFrom(fields, "Channel", Get(root, "log_name"));
        AddFrom(fields, "EventID", id);
        AddFrom(fields, "Provider_Name", Get(root, "source_name"));
        AddFrom(fields, "Computer", Get(root, "computer_name"));
        return new WindowsEventView(WindowsEventShape.WinlogbeatLegacy, channel, Id(id), fields);
    }

    private static WindowsEventView Ecs(JsonObject root)
    {
        var flat = new Dictionary<string, List<string?>>(StringComparer.OrdinalIgnoreCase);
        Flatten(root, "", flat, 0);
        var fields = new List<KeyValuePair<string, string?>>();
        foreach (var (ecs, values) in flat)
        {
            if (SigmaByEcs.TryGetValue(ecs, out var sigmaNames))
            {
                foreach (var sigma in sigmaNames)
                {
                    fields.AddRange(values.Select(v => new KeyValuePair<string, string?>(sigma, v)));
                }
            }
        }
        var channel = First(flat, "winlog.channel");
        var id = First(flat, "winlog.event_id") ?? First(flat, "event.code");
        if (id is not null && First(flat, "event.code") is null)
        {
            fields.Add(new("EventID", id));
        }
        var computer = First(flat, "winlog.computer_name") ?? First(flat, "host.name");
        if (computer is not null)
        {
            fields.Add(new("Computer", computer));
            if (First(flat, "winlog.computer_name") is null)
            {
                fields.Add(new("ComputerName", computer));
            }
        }
        return new WindowsEventView(WindowsEventShape.Ecs, channel, ParseId(id), fields);
    }

    private static WindowsEventView Sentinel(JsonObject root, WindowsEventShape shape, string providerColumn)
    {
        var fields = new List<KeyValuePair<string, string?>>();
        AddFrom(fields, "Provider_Name", Get(root, providerColumn));
        if (Get(root, "EventData") is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            fields.AddRange(EventDataXml(value.GetValue<string>()));
        }
        return new WindowsEventView(shape, Scalar(Get(root, "Channel")), Id(Get(root, "EventID")), fields);
    }

    /// <summary>
    /// The fields of an EventData (or UserData) XML string: <c>&lt;Data Name="X"&gt;v&lt;/Data&gt;</c> is X,
    /// an unnamed <c>&lt;Data&gt;</c> is <c>Data</c>, any other element holding text answers its own name.
    /// No DTD is processed and no entity expanded (a document with one is refused where it starts);
    /// at most <see cref="MaxXmlChars"/> characters and <see cref="MaxXmlFields"/> fields are read, and
    /// what was read before a limit or an error is kept.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string?>> EventDataXml(string xml)
    {
        var fields = new List<KeyValuePair<string, string?>>();
        var text = xml.TrimStart().TrimStart('\uFEFF').TrimStart();
        if (!text.StartsWith('<'))
        {
            return fields;
        }
        if (text.Length > MaxXmlChars)
        {
            text = text[..MaxXmlChars];
        }
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxXmlChars,
            MaxCharactersFromEntities = 1024,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            ConformanceLevel = ConformanceLevel.Fragment,
        };
        try
        {
            using var reader = XmlReader.Create(new StringReader(text), settings);
            var names = new Stack<string?>();
            var content = new System.Text.StringBuilder();
            while (fields.Count < MaxXmlFields && reader.Read())
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element:
                        var name = reader.LocalName == "Data" ? reader.GetAttribute("Name") ?? "Data" : reader.LocalName;
                        content.Clear();
                        if (reader.IsEmptyElement)
                        {
                            if (reader.LocalName == "Data")
                            {
                                fields.Add(new(name, ""));
                            }
                        }
                        else
                        {
                            names.Push(name);
                        }
                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace:
                        content.Append(reader.Value);
                        break;
                    case XmlNodeType.EndElement:
                        var ended = names.Count > 0 ? names.Pop() : null;
                        if (ended is not null && (reader.LocalName == "Data" || content.ToString().Trim().Length > 0))
                        {
                            fields.Add(new(ended, content.ToString()));
                        }
                        content.Clear();
                        break;
                }
            }
        }
        catch (XmlException)
        {
            // A DTD, an undeclared entity, malformed or cut-off XML: keep what was read before it.
        }
        return fields;
    }

    /// <summary>
    /// Sysmon writes registry DWORD values as <c>DWORD (0x00000001)</c>; other sources write <c>1</c>
    /// or <c>0x00000001</c>. Returns the Sysmon form of such a value, or null.
    /// </summary>
    public static string? DwordForm(string? value)
    {
        if (value is null || value.Length is 0 or > 12)
        {
            return null;
        }
        uint number;
        if (value.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            if (!uint.TryParse(value.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out number))
            {
                return null;
            }
        }
        else if (!value.All(char.IsAsciiDigit) || !uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out number))
        {
            return null;
        }
        return $"DWORD (0x{number:x8})";
    }

    private static void Flatten(JsonNode? node, string path, Dictionary<string, List<string?>> into, int depth)
    {
        if (depth > MaxDepth)
        {
            return;
        }
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    Flatten(child, path.Length == 0 ? name : $"{path}.{name}", into, depth + 1);
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Flatten(item, path, into, depth + 1);
                }
                break;
            default:
                if (path.Length > 0)
                {
                    if (!into.TryGetValue(path, out var values))
                    {
                        into[path] = values = [];
                    }
                    values.Add(SigmaEvent.Text(node));
                }
                break;
        }
    }

    private static string? First(Dictionary<string, List<string?>> flat, string path) =>
        flat.TryGetValue(path, out var values) ? values.FirstOrDefault(v => v is not null) : null;

    /// <summary>A property by name in any case (an exact match first).</summary>
    private static JsonNode? Get(JsonObject obj, string name)
    {
        if (obj.TryGetPropertyValue(name, out var exact))
        {
            return exact;
        }
        foreach (var (key, value) in obj)
        {
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
        return null;
    }

    private static string? Scalar(JsonNode? node) => node is JsonValue ? SigmaEvent.Text(node) : null;

    private static int? Id(JsonNode? node) => ParseId(node switch
    {
        JsonValue => SigmaEvent.Text(node),
        // Rendered XML may carry qualifiers: EventID { "#attributes": {...}, "#text": 4688 }.
        JsonObject obj when Get(obj, "#text") is JsonValue text => SigmaEvent.Text(text),
        _ => null,
    });

    private static int? ParseId(string? id) =>
        int.TryParse(id, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static void AddFrom(List<KeyValuePair<string, string?>> fields, string name, JsonNode? node)
    {
        if (Scalar(node) is { } value)
        {
            fields.Add(new(name, value));
        }
    }
}
