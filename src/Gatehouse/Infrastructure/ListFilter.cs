using Gatehouse.Storage;

namespace Gatehouse.Infrastructure;

/// <summary>The filters the event and incident lists share.</summary>
public sealed record ListFilter(string? Site, string? Status, DateTimeOffset? From, DateTimeOffset? To, string? Integration, int? Page, int? PageSize, string? Technique = null)
{
    /// <summary>Validates paging and status; null with <paramref name="errors"/> filled when something is off.</summary>
    public (Paging Paging, TStatus? Status)? Validate<TStatus>(ICollection<string> errors) where TStatus : struct, Enum
    {
        var paging = Paging.From(Page, PageSize, errors);
        TStatus? status = null;
        if (Status is not null)
        {
            if (Enum.TryParse<TStatus>(Status, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
            {
                status = parsed;
            }
            else
            {
                errors.Add($"'status' must be one of {string.Join(", ", Enum.GetNames<TStatus>())}.");
            }
        }
        return errors.Count == 0 ? (paging!.Value, status) : null;
    }

    /// <summary>Restricts to the viewer's sites and applies site, integration and time filters.</summary>
    public IQueryable<T> Apply<T>(IQueryable<T> query, IReadOnlySet<int> viewerSites) where T : class, ISiteRecord
    {
        query = query.Where(r => viewerSites.Contains(r.SiteId));
        if (Site is not null)
        {
            var site = Normalize.Name(Site);
            query = query.Where(r => r.Site!.NormalizedName == site);
        }
        if (Integration is not null)
        {
            var integration = Normalize.Name(Integration);
            query = query.Where(r => r.Integration!.NormalizedName == integration);
        }
        if (From is { } from)
        {
            query = query.Where(r => r.CreatedAt >= from);
        }
        if (To is { } to)
        {
            query = query.Where(r => r.CreatedAt < to);
        }
        return query;
    }
}
