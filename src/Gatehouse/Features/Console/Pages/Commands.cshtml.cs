using Gatehouse.Features.Commands;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class CommandsModel(GatehouseDb db) : ConsolePageModel
{
    public const string Template = """
        {
          "name": "Lowercase Host",
          "description": "Formats events: lower-cases the host name.",
          "features": ["DataFormatter"],
          "parameters": [],
          "script": "function format(event, context) { if (event.host) event.host = event.host.toLowerCase(); return event; }"
        }
        """;

    public IReadOnlyList<CommandView> Commands { get; private set; } = [];

    public async Task OnGetAsync() => Commands = (await CommandsApi.List(db, Aborted)).Value ?? [];
}
