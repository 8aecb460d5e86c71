using Gatehouse.Features.Auth;
using Gatehouse.Features.Intake;

namespace Gatehouse.Features.Console.Pages;

public sealed class IngestionModel(IngestionResults results, CurrentUser user) : ConsolePageModel
{
    public IngestionView? Log { get; private set; }

    public async Task OnGetAsync(string refid)
    {
        var result = (await IngestionsApi.Get(refid, results, user, Aborted)).Result;
        Log = ApiCall.Value<IngestionView>(result);
        Refusal = ApiCall.Problem(result);
        if (Log is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }
}
