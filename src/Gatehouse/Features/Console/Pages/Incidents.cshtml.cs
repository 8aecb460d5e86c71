using Gatehouse.Features.Auth;
using Gatehouse.Features.Incidents;
using Gatehouse.Features.Sites;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class IncidentsModel(GatehouseDb db, CurrentUser user, IncidentLifecycle lifecycle) : ConsolePageModel
{
    public string? Site { get; private set; }

    public string? Status { get; private set; }

    public IReadOnlyList<string> Statuses => lifecycle.Vocabulary.Statuses;

    public IReadOnlyList<SiteView> Sites { get; private set; } = [];

    public Page<IncidentView>? Results { get; private set; }

    public async Task OnGetAsync(string? site, string? status, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "page")] int? pageNumber)
    {
        (Site, Status) = (Text.Blank(site), Text.Blank(status));
        Sites = (await SitesApi.List(db, user, Aborted)).Value ?? [];
        var result = (await IncidentsApi.List(new ListFilter(Site, Status, null, null, null, pageNumber, 50), db, user, lifecycle, Aborted)).Result;
        Results = Read<Page<IncidentView>>(result);
    }
}
