using Gatehouse.Features.Auth;
using Gatehouse.Features.Playbooks;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class PlaybookModel(GatehouseDb db, CurrentUser user) : ConsolePageModel
{
    public PlaybookView? Playbook { get; private set; }

    public IReadOnlyList<PlaybookRunView> Runs { get; private set; } = [];

    /// <summary>What a task may run, offered to administrators by the task forms.</summary>
    public IReadOnlyList<TaskCommandChoice> Commands { get; private set; } = [];

    public async Task OnGetAsync(string name)
    {
        Playbook = Show<PlaybookView>((await PlaybooksApi.Get(name, db, Aborted)).Result);
        if (Playbook is not null)
        {
            Runs = await RunHistory.OfAsync(db, user, Aborted, playbook: Playbook.Name);
            Commands = IsAdministrator ? await PlaybookBuilderView.ChoicesAsync(db, Aborted) : [];
        }
    }
}
