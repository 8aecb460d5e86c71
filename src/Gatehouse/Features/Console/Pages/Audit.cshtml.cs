using Gatehouse.Features.Audit;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Authorization;

namespace Gatehouse.Features.Console.Pages;

[Authorize(Roles = "Administrator")]
public sealed class AuditModel(GatehouseDb db, AuthFailureAudit failures) : ConsolePageModel
{
    public string? Actor { get; private set; }

    public string? Action { get; private set; }

    public Page<AuditView>? Results { get; private set; }

    public async Task OnGetAsync(string? actor, string? action, int? page)
    {
        (Actor, Action) = (Text.Blank(actor), Text.Blank(action));
        var result = (await AuditApi.List(new AuditFilter(null, null, Actor, null, Action, page, 50), db, failures, Aborted)).Result;
        Results = Read<Page<AuditView>>(result);
    }
}
