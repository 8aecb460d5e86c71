using Gatehouse.Infrastructure;
using Gatehouse.Features.Auth;
using Gatehouse.Features.Sites;
using Gatehouse.Features.Statistics;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

/// <summary>
/// What the dashboard and the ATT&amp;CK matrix share: a time range (the last 24 hours, 7 or 30 days, or From/To in UTC)
/// and a site, read as the statistics API reads them.
/// </summary>
public abstract class StatisticsPageModel(GatehouseDb db, CurrentUser user, TimeProvider time) : ConsolePageModel
{
    public static readonly IReadOnlyList<(string Value, string Label, TimeSpan Span)> Ranges =
        [("24h", "Last 24 hours", TimeSpan.FromHours(24)), ("7d", "Last 7 days", TimeSpan.FromDays(7)), ("30d", "Last 30 days", TimeSpan.FromDays(30))];

    public string Range { get; private set; } = "24h";

    public string? Site { get; private set; }

    public DateTimeOffset? From { get; private set; }

    public DateTimeOffset? To { get; private set; }

    public IReadOnlyList<SiteView> Sites { get; private set; } = [];

    /// <summary>The query string that keeps this range and site (for links between the dashboard, the matrix and events).</summary>
    public string RangeQuery(bool forEvents = false) => forEvents
        ? $"from={Uri.EscapeDataString(Input(WindowFrom))}&to={Uri.EscapeDataString(Input(WindowTo))}{(Site is null ? "" : $"&site={Uri.EscapeDataString(Site)}")}"
        : From is not null || To is not null
            ? $"from={Uri.EscapeDataString(Input(From))}&to={Uri.EscapeDataString(Input(To))}{(Site is null ? "" : $"&site={Uri.EscapeDataString(Site)}")}"
            : $"range={Range}{(Site is null ? "" : $"&site={Uri.EscapeDataString(Site)}")}";

    protected DateTimeOffset? WindowFrom { get; private set; }

    protected DateTimeOffset? WindowTo { get; private set; }

    public static string Input(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture) ?? "";

    /// <summary>The figures; or null, with <see cref="ConsolePageModel.Refusal"/> saying the statistics gate was full.</summary>
    protected T? Counted<T>(T? view) where T : class
    {
        Refusal = view is null ? $"{StatisticsApi.BusyMessage}; reload the page in a few seconds." : null;
        return view;
    }

    /// <summary>The window and sites to count, or null with <see cref="ConsolePageModel.Refusal"/> set.</summary>
    protected async Task<(Core.Statistics.TimeWindow Window, IReadOnlySet<int> Sites)?> ScopeAsync(string? range, string? site, string? from, string? to)
    {
        Sites = (await SitesApi.List(db, user, Aborted)).Value ?? [];
        Site = Text.Blank(site);
        Range = Ranges.Any(r => r.Value == range) ? range! : "24h";
        if (!TryTimeRange(from, to, out var start, out var end))
        {
            return null;
        }
        (From, To) = (start, end);
        var span = Ranges.First(r => r.Value == Range).Span;
        var (window, sites, problem) = await StatisticsApi.ScopeAsync(new StatisticsFilter(start, end, Site), db, user, time, Aborted, span);
        if (problem is not null)
        {
            Refusal = ApiCall.Problem(problem);
            return null;
        }
        (WindowFrom, WindowTo) = (window!.From, window.To);
        return (window, sites!);
    }
}
