using Gatehouse.Features.Auth;
using Gatehouse.Features.Intake;

namespace Gatehouse.Features.Console.Pages;

public sealed class IngestionModel(IngestionResults results, CurrentUser user) : ConsolePageModel
{
    public IngestionView? Log { get; private set; }

    public async Task OnGetAsync(string refid)
    {
        Log = Show<IngestionView>((await IngestionsApi.Get(refid, results, user, Aborted)).Result);
    }
}
