using Gatehouse.Features.Auth;
using Gatehouse.Features.Playbooks;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class PlaybookRunModel(GatehouseDb db, CurrentUser user) : ConsolePageModel
{
    public PlaybookRunView? Run { get; private set; }

    /// <summary>The definition of the version the run started with, for its task graph.</summary>
    public System.Text.Json.Nodes.JsonNode? Definition { get; private set; }

    public async Task OnGetAsync(string id)
    {
        Run = Show<PlaybookRunView>((await PlaybookRunsApi.Get(id, db, user, Aborted)).Result);
        if (Run is not null)
        {
            Definition = ApiCall.Value<PlaybookView>((await PlaybooksApi.GetVersion(Run.Playbook, Run.Version, db, Aborted)).Result)?.Definition;
        }
    }
}
