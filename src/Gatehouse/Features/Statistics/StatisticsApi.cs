using Gatehouse.Core.Statistics;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Statistics;

/// <summary>A window for the figures: <c>from</c> and <c>to</c> (ISO 8601; the last 24 hours by default), and one of your sites by name.</summary>
public sealed record StatisticsFilter(DateTimeOffset? From, DateTimeOffset? To, string? Site);

/// <summary><c>GET /api/statistics</c> (the dashboard) and <c>GET /api/statistics/attack-matrix</c>: figures of the caller's sites only.</summary>
public static class StatisticsApi
{
    public static void MapStatisticsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/statistics").WithTags("Statistics").RequireAuthorization();
        group.MapGet("/", Dashboard).WithName("GetStatistics")
            .WithSummary("Intake per hour or day (received, processed, events, backlog), failures by reason and the most-seen techniques, for your sites. "
                         + "Statistics are counted a few at a time: when too many wait, 503 with Retry-After.");
        group.MapGet("/attack-matrix", Matrix).WithName("GetAttackMatrix")
            .WithSummary("The MITRE ATT&CK matrix of the techniques detected in your sites' events over a time range.");
    }

    private static async Task<Results<Ok<DashboardView>, ProblemHttpResult>> Dashboard(
        [AsParameters] StatisticsFilter filter, StatisticsQueries queries, GatehouseDb db, CurrentUser user, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        var (window, sites, problem) = await ScopeAsync(filter, db, user, time, cancellationToken);
        return problem ?? Answer(context, window is null ? null : await queries.DashboardAsync(window, sites!, cancellationToken));
    }

    private static async Task<Results<Ok<AttackMatrixView>, ProblemHttpResult>> Matrix(
        [AsParameters] StatisticsFilter filter, StatisticsQueries queries, GatehouseDb db, CurrentUser user, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        var (window, sites, problem) = await ScopeAsync(filter, db, user, time, cancellationToken);
        return problem ?? Answer(context, window is null ? null : await queries.MatrixAsync(window, sites!, cancellationToken));
    }

    /// <summary>The figures, or a 503 when the statistics gate turned the read away.</summary>
    private static Results<Ok<T>, ProblemHttpResult> Answer<T>(HttpContext context, T? view) where T : class =>
        view is null ? Problems.Busy(context, StatisticsGate.RetryAfter, BusyMessage) : TypedResults.Ok(view);

    /// <summary>What a caller is told when the statistics gate is full.</summary>
    public const string BusyMessage = "Too many statistics are being counted at once";

    /// <summary>The window asked for (the last 24 hours, or <paramref name="defaultSpan"/>, by default) and the sites counted: the caller's, or the one named.</summary>
    internal static async Task<(TimeWindow? Window, IReadOnlySet<int>? Sites, ProblemHttpResult? Problem)> ScopeAsync(
        StatisticsFilter filter, GatehouseDb db, CurrentUser user, TimeProvider time, CancellationToken cancellationToken, TimeSpan? defaultSpan = null)
    {
        var (window, error) = TimeWindow.Create(filter.From, filter.To, time.GetUtcNow(), defaultSpan ?? TimeSpan.FromHours(24));
        if (window is null)
        {
            return (null, null, Problems.Invalid([error!]));
        }
        var sites = await user.SiteIdsAsync(cancellationToken);
        if (Text.Blank(filter.Site) is { } name)
        {
            var normalized = Normalize.Name(name);
            var site = await db.Sites.AsNoTracking().Where(s => s.NormalizedName == normalized && sites.Contains(s.Id)).Select(s => (int?)s.Id).FirstOrDefaultAsync(cancellationToken);
            if (site is null)
            {
                return (null, null, Problems.Invalid([$"'site': there is no site '{name}' that you can see."]));
            }
            sites = new HashSet<int> { site.Value };
        }
        return (window, sites, null);
    }
}
