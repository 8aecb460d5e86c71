using Gatehouse.Features.Auth;
using Gatehouse.Features.Intake;
using Gatehouse.Features.Sites;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class IngestionsModel(GatehouseDb db, CurrentUser user) : ConsolePageModel
{
    public string? Site { get; private set; }

    public string? Status { get; private set; }

    public IReadOnlyList<SiteView> Sites { get; private set; } = [];

    public Page<IngestionSummary>? Results { get; private set; }

    public DateTimeOffset? From { get; private set; }

    public DateTimeOffset? To { get; private set; }

    public async Task OnGetAsync(string? site, string? status, string? from, string? to, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "page")] int? pageNumber)
    {
        (Site, Status) = (Text.Blank(site), Text.Blank(status));
        Sites = (await SitesApi.List(db, user, Aborted)).Value ?? [];
        if (!TryTimeRange(from, to, out var start, out var end))
        {
            return;
        }
        (From, To) = (start, end);
        var result = (await IngestionsApi.List(new ListFilter(Site, Status, From, To, null, pageNumber, 50), db, user, Aborted)).Result;
        Results = Read<Page<IngestionSummary>>(result);
    }
}
