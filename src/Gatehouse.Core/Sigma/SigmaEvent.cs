using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Intake;

namespace Gatehouse.Core.Sigma;

/// <summary>
/// An event as Sigma rules see it: every value under the names a rule may use for it. A raw value at
/// <c>Event.EventData.Image</c> answers <c>Image</c>, and <c>EventData.Image</c> and the full path
/// when asked (dotted names are resolved on demand: few rules use them);
/// one under an XML-style <c>#attributes</c> object also answers <c>Parent_Name</c> (so
/// <c>Event.System.Provider.#attributes.Name</c> answers <c>Provider_Name</c>), and <c>#text</c>
/// answers its parent's name. Mapped data-model fields answer their Sigma aliases.
/// A Windows event in another shape than the rendered XML (NXLog, Winlogbeat, Elastic ECS, Sentinel
/// rows; see <see cref="WindowsEventShapes"/>) also answers the Sigma names of its fields, where it
/// lacks them itself; a registry <c>Details</c> value written <c>1</c> or <c>0x00000001</c> also answers
/// Sysmon's <c>DWORD (0x00000001)</c>.
/// </summary>
public sealed class SigmaEvent
{
    private const int MaxDepth = 64;

    private readonly Dictionary<string, List<string?>> _fields = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _strings = [];
    private readonly List<(string[] Path, string? Value)> _leaves = [];
    private Dictionary<string, List<string?>?>? _dotted;

    /// <param name="sigmaFields">Names of the event's own fields as Sigma rules call them, declared by its integration.</param>
    public SigmaEvent(JsonNode? raw, IReadOnlyDictionary<string, string>? mappedFields = null, IReadOnlyDictionary<string, string>? sigmaFields = null)
    {
        Walk(raw, [], 0);
        Windows = WindowsEventShapes.Recognise(raw);
        // Only names the event lacks itself: its own fields win over what its shape implies.
        var present = Windows.Fields.Count > 0 ? new HashSet<string>(_fields.Keys, StringComparer.OrdinalIgnoreCase) : null;
        foreach (var (field, value) in Windows.Fields)
        {
            if (!present!.Contains(field))
            {
                _leaves.Add(([field], value));
                Add(field, value);
                if (value is not null)
                {
                    _strings.Add(value);
                }
            }
        }
        if (_fields.TryGetValue("Details", out var details))
        {
            var dwords = details.Select(WindowsEventShapes.DwordForm).Where(d => d is not null && !details.Contains(d, StringComparer.OrdinalIgnoreCase)).ToList();
            details.AddRange(dwords);
        }
        foreach (var (name, sigma) in sigmaFields ?? new Dictionary<string, string>())
        {
            if (Values(name) is { } values && !_fields.ContainsKey(sigma))
            {
                _fields[sigma] = [.. values];
            }
        }
        foreach (var (field, value) in mappedFields ?? new Dictionary<string, string>())
        {
            foreach (var alias in SigmaFieldAliases.ForDataModelField(field))
            {
                Add(alias, value);
            }
        }
        foreach (var (synonym, field) in SigmaFieldAliases.EventSynonyms)
        {
            if (!_fields.ContainsKey(field) && _fields.TryGetValue(synonym, out var values))
            {
                _fields[field] = values;
            }
        }
    }

    /// <summary>The Windows event shape recognised, with the source it tells (or <see cref="WindowsEventView.None"/>).</summary>
    public WindowsEventView Windows { get; }

    /// <summary>Every field name the event answers, with its values (null for a JSON null).</summary>
    public IReadOnlyDictionary<string, List<string?>> Fields => _fields;

    /// <summary>Every value of the event, for keyword rules.</summary>
    public IReadOnlyList<string> Strings => _strings;

    public IReadOnlyList<string?>? Values(string field)
    {
        if (_fields.TryGetValue(field, out var values))
        {
            return values;
        }
        if (!field.Contains('.'))
        {
            return null;
        }
        _dotted ??= new Dictionary<string, List<string?>?>(StringComparer.OrdinalIgnoreCase);
        if (!_dotted.TryGetValue(field, out var resolved))
        {
            _dotted[field] = resolved = ResolveDotted(field);
        }
        return resolved;
    }

    /// <summary>Values whose path ends with the dotted name (<c>EventData.Image</c>, <c>requestParameters.userName</c>).</summary>
    private List<string?>? ResolveDotted(string field)
    {
        var parts = field.Split('.');
        if (!_fields.ContainsKey(parts[^1]))
        {
            return null;
        }
        List<string?>? found = null;
        foreach (var (path, value) in _leaves)
        {
            if (path.Length >= parts.Length && parts.Select((p, i) => p.Equals(path[path.Length - parts.Length + i], StringComparison.OrdinalIgnoreCase)).All(same => same))
            {
                (found ??= []).Add(value);
            }
        }
        return found;
    }

    public string? First(string field) => _fields.TryGetValue(field, out var values) && values.Count > 0 ? values[0] : null;

    private void Walk(JsonNode? node, List<string> path, int depth)
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
                    path.Add(name);
                    Walk(child, path, depth + 1);
                    path.RemoveAt(path.Count - 1);
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Walk(item, path, depth + 1);
                }
                break;
            default:
                AddLeaf(path, Text(node));
                break;
        }
    }

    private void AddLeaf(List<string> path, string? value)
    {
        var names = path.Where(p => p != "#attributes").ToArray();
        if (names.Length > 0 && names[^1] == "#text")
        {
            names = names[..^1];
        }
        if (names.Length == 0)
        {
            return;
        }
        _leaves.Add((names, value));
        Add(names[^1], value);
        var underAttributes = path.Count >= 2 && path[^2] == "#attributes";
        if (underAttributes && names.Length >= 2)
        {
            Add($"{names[^2]}_{names[^1]}", value);
        }
        if (value is not null)
        {
            _strings.Add(value);
        }
    }

    private void Add(string field, string? value)
    {
        if (!_fields.TryGetValue(field, out var values))
        {
            _fields[field] = values = [];
        }
        values.Add(value);
    }

    internal static string? Text(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => null,
        JsonValueKind.String => node.GetValue<string>(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => node.AsValue().TryGetValue<long>(out var whole)
            ? whole.ToString(CultureInfo.InvariantCulture)
            : node.ToJsonString(),
        _ => node.ToJsonString(),
    };
}

/// <summary>How Sigma's field names meet Gatehouse's data model and Windows' own field names.</summary>
public static class SigmaFieldAliases
{
    private static readonly Dictionary<string, string[]> ByDataModelField = new(StringComparer.OrdinalIgnoreCase)
    {
        [EventFields.CommandLine] = ["CommandLine", "ProcessCommandLine", "cmdline"],
        [EventFields.ProcessName] = ["Image", "ProcessName", "exe"],
        [EventFields.Username] = ["User", "Username", "SubjectUserName", "TargetUserName", "userIdentity.userName"],
        [EventFields.Hostname] = ["Computer", "ComputerName", "Hostname", "Workstation"],
        [EventFields.SourceIp] = ["SourceIp", "src_ip", "IpAddress", "c-ip", "ClientIP"],
        [EventFields.DestinationIp] = ["DestinationIp", "dst_ip", "DestAddress"],
        [EventFields.FileHash] = ["Hashes", "Hash", "sha256", "md5", "sha1"],
        [EventFields.Url] = ["c-uri", "cs-uri", "url", "c-uri-query", "cs-uri-query", "TargetUrl"],
        [EventFields.Domain] = ["QueryName", "DestinationHostname", "cs-host", "query", "Domain"],
    };

    /// <summary>
    /// Windows Security names for what Sysmon-style rules call otherwise (4688's NewProcessName is
    /// Image): used only when the event lacks the Sigma name itself.
    /// </summary>
    public static readonly IReadOnlyList<(string Synonym, string Field)> EventSynonyms =
    [
        ("NewProcessName", "Image"),
        ("ParentProcessName", "ParentImage"),
    ];

    public static IReadOnlyList<string> ForDataModelField(string field) => ByDataModelField.GetValueOrDefault(field) ?? [];
}
