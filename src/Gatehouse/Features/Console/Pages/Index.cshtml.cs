using System.Globalization;
using Gatehouse.Features.Auth;
using Gatehouse.Features.Statistics;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

/// <summary>The dashboard: intake, backlog, failures by reason and the most-seen techniques over a time range.</summary>
public sealed class IndexModel(GatehouseDb db, CurrentUser user, TimeProvider time, StatisticsQueries queries) : StatisticsPageModel(db, user, time)
{
    public DashboardView? View { get; private set; }

    public async Task OnGetAsync(string? range, string? site, string? from, string? to)
    {
        if (await ScopeAsync(range, site, from, to) is { } scope)
        {
            View = Counted(await queries.DashboardAsync(scope.Window, scope.Sites, Aborted));
        }
    }

    /// <summary>A bucket as its chart labels it: the hour (with the day at midnight and first) or the day.</summary>
    public string Label(int index)
    {
        var at = View!.Buckets[index].UtcDateTime;
        return View.Bucket == "day" ? at.ToString("MMM d", CultureInfo.InvariantCulture)
            : index == 0 || at.Hour == 0 ? at.ToString("MMM d HH:mm", CultureInfo.InvariantCulture) : at.ToString("HH:mm", CultureInfo.InvariantCulture);
    }

    /// <summary>A bucket in full, for the table of numbers.</summary>
    public string Full(int index) => View!.Buckets[index].UtcDateTime.ToString(View.Bucket == "day" ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
