using Gatehouse.Core.Auth;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Auth;

/// <summary>Users as <see cref="KeyAuthority"/> sees them, read fresh from the database.</summary>
public static class Grantees
{
    public static async Task<Grantee?> LoadAsync(GatehouseDb db, int userId, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.Id, u.Username, u.Role, u.Enabled, Sites = u.Sites.Select(s => s.SiteId).ToList() })
            .FirstOrDefaultAsync(cancellationToken);
        return user is null ? null : new Grantee(user.Id, user.Role == UserRole.Administrator, user.Sites.ToHashSet(), user.Enabled, user.Username);
    }

    /// <summary>The signed-in user of the admin API.</summary>
    public static async Task<Grantee> OfAsync(CurrentUser user, CancellationToken cancellationToken) =>
        new(user.Id, user.IsAdministrator, await user.SiteIdsAsync(cancellationToken), Username: user.Username);
}
