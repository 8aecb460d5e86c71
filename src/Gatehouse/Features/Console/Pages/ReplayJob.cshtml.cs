using Gatehouse.Features.Replay;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Authorization;

namespace Gatehouse.Features.Console.Pages;

/// <summary>One replay job: its progress, refreshed while it runs, its problems, and a way to stop it.</summary>
[Authorize(Roles = "Administrator")]
public sealed class ReplayJobModel(GatehouseDb db) : ConsolePageModel
{
    public ReplayJobView? Job { get; private set; }

    public bool Active => Job?.Status is ReplayJobStatus.Queued or ReplayJobStatus.Running;

    public int Percent => Job is { Total: > 0 } job ? Math.Min(100, job.Done * 100 / job.Total) : Job?.Status == ReplayJobStatus.Completed ? 100 : 0;

    /// <summary>The job's filter in words: <c>Processed and Failed requests of integration X, received before …</c>.</summary>
    public static string Describe(System.Text.Json.Nodes.JsonNode? filter)
    {
        string? Member(string name) => filter?[name] is System.Text.Json.Nodes.JsonValue value ? value.ToString() : null;
        var parts = new List<string> { Member("status") is { } status ? $"{status} requests" : "Processed and Failed requests" };
        if (Member("integration") is { } integration) parts.Add($"of integration {integration}");
        if (Member("site") is { } site) parts.Add($"on site {site}");
        if (Member("key") is { } key) parts.Add($"sent with key {key}");
        if (Member("from") is { } from && DateTimeOffset.TryParse(from, System.Globalization.CultureInfo.InvariantCulture, out var start)) parts.Add($"received from {When(start)}");
        if (Member("to") is { } to && DateTimeOffset.TryParse(to, System.Globalization.CultureInfo.InvariantCulture, out var end)) parts.Add($"received before {When(end)}");
        return string.Join(", ", parts);
    }

    public async Task OnGetAsync(string id) => Job = Show<ReplayJobView>((await ReplayApi.Job(id, db, Aborted)).Result);
}
