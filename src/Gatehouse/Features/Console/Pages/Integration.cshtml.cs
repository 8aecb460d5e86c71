using Gatehouse.Features.Auth;
using Gatehouse.Features.Integrations;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class IntegrationModel(GatehouseDb db, CurrentUser user) : ConsolePageModel
{
    public IntegrationView? Integration { get; private set; }

    public IReadOnlyList<ConnectionView> Connections { get; private set; } = [];

    public IReadOnlyList<Gatehouse.Features.Sites.SiteView> Sites { get; private set; } = [];

    public async Task OnGetAsync(string name)
    {
        Integration = Show<IntegrationView>((await IntegrationsApi.Get(name, db, Aborted)).Result);
        if (Integration is null)
        {
            return;
        }
        Connections = ApiCall.Value<List<ConnectionView>>((await ConnectionsApi.List(Integration.Name, db, user, Aborted)).Result) ?? [];
        Sites = (await Gatehouse.Features.Sites.SitesApi.List(db, user, Aborted)).Value ?? [];
    }
}
