using Gatehouse.Features.Commands;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class CommandsModel(GatehouseDb db) : ConsolePageModel
{
    public IReadOnlyList<CommandView> Commands { get; private set; } = [];

    public async Task OnGetAsync() => Commands = (await CommandsApi.List(db, Aborted)).Value ?? [];
}
