using Gatehouse.Features.Auth;
using Gatehouse.Features.Events;
using Gatehouse.Features.Sites;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class EventsModel(GatehouseDb db, CurrentUser user) : ConsolePageModel
{
    public string? Site { get; private set; }

    public string? Status { get; private set; }

    public string? Technique { get; private set; }

    public IReadOnlyList<SiteView> Sites { get; private set; } = [];

    public Page<EventView>? Results { get; private set; }

    /// <summary>The free-text search (title, fields, raw JSON).</summary>
    public string? Query { get; private set; }

    public DateTimeOffset? From { get; private set; }

    public DateTimeOffset? To { get; private set; }

    public async Task OnGetAsync(string? site, string? status, string? technique, string? q, string? from, string? to, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "page")] int? pageNumber)
    {
        (Site, Status, Technique, Query) = (Text.Blank(site), Text.Blank(status), Text.Blank(technique), Text.Blank(q));
        Sites = (await SitesApi.List(db, user, Aborted)).Value ?? [];
        if (!TryTimeRange(from, to, out var start, out var end))
        {
            return;
        }
        (From, To) = (start, end);
        var result = (await EventsApi.List(new ListFilter(Site, Status, From, To, null, pageNumber, 50, Technique), new EventSearch(Query, null, null, null), db, user, Aborted)).Result;
        Results = Read<Page<EventView>>(result);
    }
}
