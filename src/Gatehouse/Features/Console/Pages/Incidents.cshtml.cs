using Gatehouse.Features.Auth;
using Gatehouse.Features.Incidents;
using Gatehouse.Features.Sites;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class IncidentsModel(GatehouseDb db, CurrentUser user) : ConsolePageModel
{
    public string? Site { get; private set; }

    public string? Status { get; private set; }

    public IReadOnlyList<SiteView> Sites { get; private set; } = [];

    public Page<IncidentView>? Results { get; private set; }

    public async Task OnGetAsync(string? site, string? status, int? page)
    {
        (Site, Status) = (Text.Blank(site), Text.Blank(status));
        Sites = (await SitesApi.List(db, user, Aborted)).Value ?? [];
        var result = (await IncidentsApi.List(new ListFilter(Site, Status, null, null, null, page, 50), db, user, Aborted)).Result;
        Results = Read<Page<IncidentView>>(result);
    }
}
