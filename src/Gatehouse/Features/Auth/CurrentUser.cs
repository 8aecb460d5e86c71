using System.Globalization;
using System.Security.Claims;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Auth;

/// <summary>The authenticated admin-API user and the sites they may see.</summary>
public sealed class CurrentUser(IHttpContextAccessor accessor, GatehouseDb db)
{
    private IReadOnlySet<int>? _sites;

    private ClaimsPrincipal Principal => accessor.HttpContext?.User ?? new ClaimsPrincipal();

    public int Id => int.Parse(Principal.FindFirstValue(ClaimTypes.NameIdentifier)
        ?? throw new InvalidOperationException("No authenticated user."), CultureInfo.InvariantCulture);

    public string Username => Principal.FindFirstValue(ClaimTypes.Name) ?? "";

    /// <summary>True while the user must change their password before anything else (<see cref="PasswordChangeGate"/>).</summary>
    public bool MustChangePassword => Principal.HasClaim(c => c.Type == UserPrincipal.PasswordChangeRequired);

    public bool IsAdministrator => Principal.IsInRole(nameof(UserRole.Administrator));

    /// <summary>Site ids the user may access; administrators access every site.</summary>
    public async Task<IReadOnlySet<int>> SiteIdsAsync(CancellationToken cancellationToken)
    {
        if (_sites is not null)
        {
            return _sites;
        }
        var query = IsAdministrator
            ? db.Sites.Select(s => s.Id)
            : db.UserSites.Where(us => us.UserId == Id).Select(us => us.SiteId);
        _sites = (await query.ToListAsync(cancellationToken)).ToHashSet();
        return _sites;
    }

    public async Task<bool> CanAccessSiteAsync(int siteId, CancellationToken cancellationToken) =>
        (await SiteIdsAsync(cancellationToken)).Contains(siteId);
}
