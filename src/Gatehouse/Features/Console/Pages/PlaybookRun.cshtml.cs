using Gatehouse.Features.Auth;
using Gatehouse.Features.Playbooks;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class PlaybookRunModel(GatehouseDb db, CurrentUser user) : ConsolePageModel
{
    public PlaybookRunView? Run { get; private set; }

    public async Task OnGetAsync(string id)
    {
        Run = Show<PlaybookRunView>((await PlaybookRunsApi.Get(id, db, user, Aborted)).Result);
    }
}
