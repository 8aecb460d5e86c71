using System.Net;
using System.Text.Json;
using Gatehouse.Core.Auth;

namespace Gatehouse.Features.Keys;

/// <summary>A key's source-address allow-list as stored (a JSON array of CIDR ranges) and as requests are checked against it.</summary>
public static class KeySources
{
    /// <summary>The stored form of the ranges given, or null for none (any source), with every entry that is not a range.</summary>
    public static (string? Json, IReadOnlyList<string> Errors) Serialize(IReadOnlyList<string> entries)
    {
        var (ranges, errors) = SourceAllowList.Parse(entries);
        return (errors.Count > 0 || ranges.Count == 0 ? null : JsonSerializer.Serialize(ranges.Select(r => r.ToString()).Distinct().ToList()), errors);
    }

    public static IReadOnlyList<string> Entries(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize<List<string>>(json) ?? [];

    public static IReadOnlyList<IPNetwork>? Ranges(string? json) =>
        json is null ? null : SourceAllowList.Parse(Entries(json)).Ranges;
}
