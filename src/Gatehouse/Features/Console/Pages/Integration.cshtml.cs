using Gatehouse.Features.Auth;
using Gatehouse.Features.Integrations;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class IntegrationModel(GatehouseDb db, CurrentUser user) : ConsolePageModel
{
    public IntegrationView? Integration { get; private set; }

    public IReadOnlyList<ConnectionView> Connections { get; private set; } = [];

    public async Task OnGetAsync(string name)
    {
        var result = (await IntegrationsApi.Get(name, db, Aborted)).Result;
        Integration = ApiCall.Value<IntegrationView>(result);
        Refusal = ApiCall.Problem(result);
        if (Integration is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        Connections = ApiCall.Value<List<ConnectionView>>((await ConnectionsApi.List(Integration.Name, db, user, Aborted)).Result) ?? [];
    }
}
