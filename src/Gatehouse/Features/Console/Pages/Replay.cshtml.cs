using Gatehouse.Features.Auth;
using Gatehouse.Features.Replay;
using Gatehouse.Features.Sites;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Console.Pages;

/// <summary>Replay: pick stored requests, see the dry run's diff, then carry it out as a job; recent jobs below.</summary>
[Authorize(Roles = "Administrator")]
public sealed class ReplayModel(GatehouseDb db, CurrentUser user, ReplayPreparer preparer, Audit.AuditLog audit, ReplaySignals signals, TimeProvider time, ILoggerFactory loggers)
    : ConsolePageModel
{
    public ReplayFilter Filter { get; private set; } = new();

    public int? Limit { get; private set; }

    public IReadOnlyList<SiteView> Sites { get; private set; } = [];

    public IReadOnlyList<string> Integrations { get; private set; } = [];

    public ReplayPreview? Preview { get; private set; }

    public IReadOnlyList<ReplayJobView> Jobs { get; private set; } = [];

    public async Task OnGetAsync(string? integration, string? site, int? key, string? status, string? from, string? to, int? limit, bool preview = false)
    {
        Sites = (await SitesApi.List(db, user, Aborted)).Value ?? [];
        Integrations = await db.Integrations.AsNoTracking().OrderBy(i => i.Name).Select(i => i.Name).ToListAsync(Aborted);
        Jobs = (await ReplayApi.Jobs(1, 10, db, Aborted)).Result is var jobs ? Read<Page<ReplayJobView>>(jobs)?.Items ?? [] : [];
        if (!TryTimeRange(from, to, out var start, out var end))
        {
            return;
        }
        (Filter, Limit) = (new ReplayFilter(Text.Blank(integration), key, Text.Blank(site), start, end, Text.Blank(status)), limit);
        if (preview)
        {
            var request = new ReplayRequest(Filter, DryRun: true, Limit: limit);
            Preview = Read<ReplayPreview>((await ReplayApi.Replay(request, db, user, preparer, audit, signals, time, loggers, Aborted)).Result);
        }
    }

    /// <summary>A field change in words: <c>Title: "one" → "Mimikatz"</c>.</summary>
    public static string Describe(Core.Intake.FieldChange change) =>
        $"{change.Field}: {Value(change.From)} → {Value(change.To)}";

    private static string Value(System.Text.Json.Nodes.JsonNode? node) => node is null ? "(none)" : Compact(node);
}
