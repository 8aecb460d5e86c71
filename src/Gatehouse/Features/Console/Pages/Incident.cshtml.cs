using Gatehouse.Features.Auth;
using Gatehouse.Features.Incidents;
using Gatehouse.Features.Playbooks;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class IncidentModel(GatehouseDb db, CurrentUser user, IncidentLifecycle lifecycle) : ConsolePageModel
{
    public IncidentView? Incident { get; private set; }

    public IReadOnlyList<PlaybookRunView> Runs { get; private set; } = [];

    public async Task OnGetAsync(long id)
    {
        Incident = Show<IncidentView>((await IncidentsApi.Get(id, db, user, lifecycle, Aborted)).Result);
        if (Incident is not null)
        {
            Runs = await RunHistory.OfAsync(db, user, Aborted, incident: id);
        }
    }
}
