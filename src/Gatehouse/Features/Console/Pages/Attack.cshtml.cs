using Gatehouse.Features.Auth;
using Gatehouse.Features.Statistics;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

/// <summary>The ATT&amp;CK matrix of what was detected in a time range: tactics as columns, detected techniques in them.</summary>
public sealed class AttackModel(GatehouseDb db, CurrentUser user, TimeProvider time, StatisticsQueries queries) : StatisticsPageModel(db, user, time)
{
    public AttackMatrixView? View { get; private set; }

    public async Task OnGetAsync(string? range, string? site, string? from, string? to)
    {
        if (await ScopeAsync(range, site, from, to) is { } scope)
        {
            View = Counted(await queries.MatrixAsync(scope.Window, scope.Sites, Aborted));
        }
    }

    /// <summary>How strongly a cell is shaded: a share of the busiest cell, in four steps (classes, as the policy allows no inline style).</summary>
    public string Heat(int events)
    {
        var busiest = View!.Matrix.Columns.SelectMany(c => c.Techniques).Select(t => t.Events).DefaultIfEmpty(1).Max();
        return $"heat{Math.Clamp((int)Math.Ceiling(4.0 * events / Math.Max(1, busiest)), 1, 4)}";
    }

    public string EventsLink(string id) => $"/console/events?technique={Uri.EscapeDataString(id)}&{RangeQuery(forEvents: true)}";
}
