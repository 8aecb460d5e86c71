using Gatehouse.Features.Auth;
using Gatehouse.Features.Playbooks;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class PlaybookModel(GatehouseDb db, CurrentUser user) : ConsolePageModel
{
    public PlaybookView? Playbook { get; private set; }

    public IReadOnlyList<PlaybookRunView> Runs { get; private set; } = [];

    public async Task OnGetAsync(string name)
    {
        var result = (await PlaybooksApi.Get(name, db, Aborted)).Result;
        Playbook = ApiCall.Value<PlaybookView>(result);
        Refusal = ApiCall.Problem(result);
        if (Playbook is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        var runs = await PlaybookRunsApi.List(null, null, null, Playbook.Name, null, 50, db, user, Aborted);
        Runs = ApiCall.Value<Page<PlaybookRunView>>(runs.Result)?.Items ?? [];
    }
}
