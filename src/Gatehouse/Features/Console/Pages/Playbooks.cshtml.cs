using Gatehouse.Features.Playbooks;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class PlaybooksModel(GatehouseDb db) : ConsolePageModel
{
    public const string Template = """
        {
          "name": "Enrich event",
          "kind": "Event",
          "description": "Extracts the artifacts of each new event.",
          "tasks": [
            { "id": "artifacts", "command": "ExtractArtifacts", "params": { "Text": "{{ $.event.Title }} {{ $.event['Source IP'] }}" } }
          ]
        }
        """;

    public IReadOnlyList<PlaybookView> Playbooks { get; private set; } = [];

    /// <summary>What a task may run, offered to administrators by the task forms.</summary>
    public IReadOnlyList<TaskCommandChoice> Commands { get; private set; } = [];

    public async Task OnGetAsync()
    {
        Playbooks = (await PlaybooksApi.List(db, Aborted)).Value ?? [];
        Commands = IsAdministrator ? await PlaybookBuilderView.ChoicesAsync(db, Aborted) : [];
    }
}
