using System.Globalization;
using System.Security.Claims;
using Gatehouse.Storage;

namespace Gatehouse.Features.Auth;

/// <summary>The claims every signed-in admin user carries, whether by bearer token or console cookie; <see cref="CurrentUser"/> reads them.</summary>
public static class UserPrincipal
{
    public static ClaimsPrincipal For(int id, string username, UserRole role, string scheme) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, id.ToString(CultureInfo.InvariantCulture)),
            new Claim(ClaimTypes.Name, username),
            new Claim(ClaimTypes.Role, role.ToString()),
        ],
        scheme));
}
