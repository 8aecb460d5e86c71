using Gatehouse.Features.Commands;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class CommandModel(GatehouseDb db) : ConsolePageModel
{
    public CommandView? Command { get; private set; }

    public async Task OnGetAsync(string name)
    {
        Command = Show<CommandView>((await CommandsApi.Get(name, db, Aborted)).Result);
    }
}
