using Gatehouse.Features.Auth;
using Gatehouse.Features.Sites;
using Gatehouse.Features.Users;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Authorization;

namespace Gatehouse.Features.Console.Pages;

[Authorize(Roles = "Administrator")]
public sealed class PeopleModel(GatehouseDb db, CurrentUser user) : ConsolePageModel
{
    public IReadOnlyList<SiteView> Sites { get; private set; } = [];

    public IReadOnlyList<UserView> Users { get; private set; } = [];

    public int Me => user.Id;

    public async Task OnGetAsync()
    {
        Sites = (await SitesApi.List(db, user, Aborted)).Value ?? [];
        Users = (await UsersApi.List(UserFilter.All, db, Aborted)).Value ?? [];
    }
}
