using Gatehouse.Features.Audit;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Authorization;

namespace Gatehouse.Features.Console.Pages;

[Authorize(Roles = "Administrator")]
public sealed class AuditModel(GatehouseDb db, AuthFailureAudit failures) : ConsolePageModel
{
    /// <summary>The resources whose changes are audited: the first part of every action name.</summary>
    public static readonly IReadOnlyList<string> Resources = typeof(AuditActions).GetFields()
        .Select(f => ((string)f.GetValue(null)!).Split('.')[0]).Distinct().Order().ToList();

    public string? Actor { get; private set; }

    public string? Action { get; private set; }

    public string? Resource { get; private set; }

    public string? Target { get; private set; }

    public DateTimeOffset? From { get; private set; }

    public DateTimeOffset? To { get; private set; }

    public AuditOrder Order { get; private set; }

    public Page<AuditView>? Results { get; private set; }

    public async Task OnGetAsync(string? actor, string? action, string? resource, string? target, string? from, string? to, AuditOrder? order, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "page")] int? pageNumber)
    {
        (Actor, Action, Resource, Target, Order) = (Text.Blank(actor), Text.Blank(action), Text.Blank(resource), Text.Blank(target), order ?? AuditOrder.Desc);
        if (!TryTimeRange(from, to, out var start, out var end))
        {
            return;
        }
        (From, To) = (start, end);
        var result = (await AuditApi.List(new AuditFilter(From, To, Actor, null, Action, pageNumber, 50, Resource, Target, Order.ToString().ToLowerInvariant()), db, failures, Aborted)).Result;
        Results = Read<Page<AuditView>>(result);
        var keyIds = Results?.Items.Where(e => e.KeyId is not null && e.Target is null).Select(e => e.KeyId!.Value).Distinct().ToList() ?? [];
        KeyNames = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToDictionaryAsync(
            db.WebhookKeys.Where(k => keyIds.Contains(k.Id)), k => k.Id, k => k.Name, Aborted);
    }

    /// <summary>The names of the keys rows name only by id (authentication failures), for those that still exist.</summary>
    public IReadOnlyDictionary<int, string> KeyNames { get; private set; } = new Dictionary<int, string>();

    public string TargetOf(AuditView entry) =>
        entry.Target ?? (entry.KeyId is not { } id ? "" : KeyNames.TryGetValue(id, out var name) ? $"key '{name}'" : $"key {id} (deleted)");

    /// <summary>This page's filters with the other sort order, for the When column's heading.</summary>
    public string OtherOrderUrl()
    {
        var query = Request.Query.Where(q => q.Key is not ("order" or "page")).Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}")
            .Append($"order={(Order == AuditOrder.Desc ? "asc" : "desc")}");
        return "/console/audit?" + string.Join("&", query);
    }
}
