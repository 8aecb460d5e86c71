using Gatehouse.Core.Auth;
using Gatehouse.Features.Auth;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Keys;

/// <summary>Who may see and who may manage a key.</summary>
public sealed class KeyAccess(CurrentUser user, GatehouseDb db)
{
    private List<Site>? _sites;

    public CurrentUser User => user;

    /// <summary>The sites the viewer may access.</summary>
    public async Task<List<Site>> SitesAsync(CancellationToken cancellationToken)
    {
        if (_sites is null)
        {
            var ids = await user.SiteIdsAsync(cancellationToken);
            _sites = await db.Sites.AsNoTracking().Where(s => ids.Contains(s.Id)).ToListAsync(cancellationToken);
        }
        return _sites;
    }

    /// <summary>
    /// Administrators see every key; others the keys of sites they can access (shared keys
    /// included), keys visible to all, and keys they created or are assigned.
    /// </summary>
    public bool CanSee(WebhookKey key, IReadOnlyList<Site> sites) =>
        user.IsAdministrator
        || key.VisibleToAll
        || IsOwner(key)
        || sites.Any(s => KeyScopeRules.ServesSite(key.Scope, s.Id, s.Kind) && key.Module != KeyModule.UtilityCommand);

    /// <summary>Administrators manage every key; analysts the keys of their own sites and the utility keys they created.</summary>
    public bool CanManage(WebhookKey key, IReadOnlyList<Site> sites) =>
        user.IsAdministrator
        || (key.SiteId is { } siteId && sites.Any(s => s.Id == siteId))
        || (key.Module == KeyModule.UtilityCommand && key.CreatedByUserId == user.Id);

    /// <summary>Only the creator and the assigned user may read a key's value — not other administrators.</summary>
    public bool IsOwner(WebhookKey key) => HoldersOf(key).IsOwner(user.Id);

    public static KeyHolders HoldersOf(WebhookKey key) => new(key.CreatedByUserId, key.AssignedUserId, key.VisibleToAll);
}
