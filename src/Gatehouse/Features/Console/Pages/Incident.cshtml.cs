using Gatehouse.Features.Auth;
using Gatehouse.Features.Incidents;
using Gatehouse.Features.Playbooks;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class IncidentModel(GatehouseDb db, CurrentUser user) : ConsolePageModel
{
    public IncidentView? Incident { get; private set; }

    public IReadOnlyList<PlaybookRunView> Runs { get; private set; } = [];

    public async Task OnGetAsync(long id)
    {
        var result = (await IncidentsApi.Get(id, db, user, Aborted)).Result;
        Incident = ApiCall.Value<IncidentView>(result);
        Refusal = ApiCall.Problem(result);
        if (Incident is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        var runs = await PlaybookRunsApi.List(null, id, null, null, null, 100, db, user, Aborted);
        Runs = ApiCall.Value<Page<PlaybookRunView>>(runs.Result)?.Items ?? [];
    }
}
