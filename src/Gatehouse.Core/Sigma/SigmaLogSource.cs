namespace Gatehouse.Core.Sigma;

/// <summary>
/// A rule's <c>logsource</c>. A rule for a product (windows, linux, zeek, cisco, aws, …) is tested only
/// against events known to come from that product — a Windows event says so itself, other events through
/// the log source their integration declares; an event of unknown source is tested only against rules
/// without a product. Within a product, nothing known may contradict the rule: a Sysmon file event is not
/// tested against process-creation rules, a Security event not against Sysmon rules.
/// </summary>
public sealed record SigmaLogSource(string? Product, string? Category, string? Service)
{
    private static readonly Dictionary<string, string> ChannelByService = new(StringComparer.OrdinalIgnoreCase)
    {
        ["security"] = "Security",
        ["system"] = "System",
        ["application"] = "Application",
        ["sysmon"] = "Microsoft-Windows-Sysmon/Operational",
        ["powershell"] = "Microsoft-Windows-PowerShell/Operational",
        ["powershell-classic"] = "Windows PowerShell",
        ["taskscheduler"] = "Microsoft-Windows-TaskScheduler/Operational",
        ["wmi"] = "Microsoft-Windows-WMI-Activity/Operational",
        ["windefend"] = "Microsoft-Windows-Windows Defender/Operational",
        ["dns-server"] = "DNS Server",
        ["driver-framework"] = "Microsoft-Windows-DriverFrameworks-UserMode/Operational",
        ["codeintegrity-operational"] = "Microsoft-Windows-CodeIntegrity/Operational",
        ["firewall-as"] = "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall",
        ["bits-client"] = "Microsoft-Windows-Bits-Client/Operational",
        ["appxdeployment-server"] = "Microsoft-Windows-AppXDeploymentServer/Operational",
        ["ntlm"] = "Microsoft-Windows-NTLM/Operational",
        ["terminalservices-localsessionmanager"] = "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational",
        ["smbclient-security"] = "Microsoft-Windows-SmbClient/Security",
        ["openssh"] = "OpenSSH/Operational",
        ["msexchange-management"] = "MSExchange Management",
        ["printservice-admin"] = "Microsoft-Windows-PrintService/Admin",
        ["printservice-operational"] = "Microsoft-Windows-PrintService/Operational",
        ["applocker"] = "Microsoft-Windows-AppLocker/EXE and DLL",
        ["dns-client"] = "Microsoft-Windows-DNS Client Events/Operational",
        ["lsa-server"] = "Microsoft-Windows-LSA/Operational",
        ["capi2"] = "Microsoft-Windows-CAPI2/Operational",
        ["certificateservicesclient-lifecycle-system"] = "Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational",
    };

    private static readonly Dictionary<int, string[]> SysmonCategories = new()
    {
        [1] = ["process_creation"], [2] = ["file_change"], [3] = ["network_connection"],
        [5] = ["process_termination"], [6] = ["driver_load"], [7] = ["image_load"],
        [8] = ["create_remote_thread"], [9] = ["raw_access_thread"], [10] = ["process_access"],
        [11] = ["file_event"], [12] = ["registry_add", "registry_delete", "registry_event"],
        [13] = ["registry_set", "registry_event"], [14] = ["registry_rename", "registry_event"],
        [15] = ["create_stream_hash"], [17] = ["pipe_created"], [18] = ["pipe_created"],
        [19] = ["wmi_event"], [20] = ["wmi_event"], [21] = ["wmi_event"], [22] = ["dns_query"],
        [23] = ["file_delete"], [24] = ["clipboard_change"], [25] = ["process_tampering"],
        [26] = ["file_delete_detected"], [27] = ["file_block_executable"], [28] = ["file_block_shredding"],
        [29] = ["file_executable_detected"],
    };

    /// <summary>What an event says about its own source, as far as it can be told.</summary>
    public sealed record EventSource(string? Product, string? Channel, IReadOnlyList<string>? Categories, string? Service = null)
    {
        public static readonly EventSource Unknown = new(null, null, null);

        /// <summary>What the event says about itself; else what its integration declares; else unknown.</summary>
        public static EventSource Of(SigmaEvent evt, SigmaLogSource? declared = null)
        {
            // A source another product's integration declares wins: a field named Channel somewhere in a chat message
            // does not make it a Windows event. Otherwise only a recognised Windows shape says Windows — its own
            // Channel and EventID where that shape keeps them, never a leaf of that name at any depth.
            var declaresOther = declared is { Product: { } product } && !product.Equals("windows", StringComparison.OrdinalIgnoreCase);
            var windows = evt.Windows;
            if (!declaresOther && windows.Shape != WindowsEventShape.None && windows.Channel is { } channel && windows.EventId is { } eventId)
            {
                return new EventSource("windows", channel, CategoriesOf(channel, eventId));
            }
            return declared is { Product: not null } ? new EventSource(declared.Product, null, declared.Category is null ? null : [declared.Category], declared.Service) : Unknown;
        }

        /// <summary>
        /// The categories a channel's event belongs to; the channel's name in any case. The PowerShell
        /// categories by EventID are pySigma's (SigmaHQ/pySigma-pipeline-windows,
        /// sigma/pipelines/windows/windows.py at 2af6e5efbcf02a4365cffc325d042496e1088ee6,
        /// <c>windows_generic_category_channel_mapping</c>).
        /// </summary>
        private static string[]? CategoriesOf(string channel, int eventId) => channel.ToLowerInvariant() switch
        {
            "microsoft-windows-sysmon/operational" => SysmonCategories.GetValueOrDefault(eventId) ?? [],
            "security" => eventId == 4688 ? ["process_creation"] : [],
            "microsoft-windows-powershell/operational" => eventId switch { 4103 => ["ps_module"], 4104 => ["ps_script"], _ => [] },
            "windows powershell" => eventId switch { 400 => ["ps_classic_start"], 600 => ["ps_classic_provider_start"], 800 => ["ps_classic_script"], _ => [] },
            _ => null,
        };
    }

    public bool Accepts(EventSource source) => Mismatch(source) is null;

    /// <summary>Why an event of this source is not tested against the rule, or null when it is.</summary>
    public string? Mismatch(EventSource source)
    {
        if (Product is not null && source.Product is null)
        {
            return $"the rule is for product '{Product}' and the event's source is unknown (declare the integration's log source)";
        }
        if (Product is not null && !Product.Equals(source.Product, StringComparison.OrdinalIgnoreCase))
        {
            return $"the rule is for product '{Product}', the event comes from '{source.Product}'";
        }
        if (source.Service is not null && Service is not null && !Service.Equals(source.Service, StringComparison.OrdinalIgnoreCase))
        {
            return $"the rule is for service '{Service}', the event's is '{source.Service}'";
        }
        if (source.Categories is not null && Category is not null && !source.Categories.Contains(Category, StringComparer.OrdinalIgnoreCase))
        {
            return $"the rule is for category '{Category}', the event is {(source.Categories.Count == 0 ? "of no category rules name" : string.Join(" or ", source.Categories))}";
        }
        return source.Channel is null || Service is null || !ChannelByService.TryGetValue(Service, out var channel)
            || channel.Equals(source.Channel, StringComparison.OrdinalIgnoreCase)
            ? null : $"the rule is for the channel '{channel}', the event's is '{source.Channel}'";
    }
}
