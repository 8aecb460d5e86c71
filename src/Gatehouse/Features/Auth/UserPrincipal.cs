using System.Globalization;
using System.Security.Claims;
using Gatehouse.Storage;

namespace Gatehouse.Features.Auth;

/// <summary>The claims every signed-in admin user carries, whether by bearer token or console cookie; <see cref="CurrentUser"/> reads them.</summary>
public static class UserPrincipal
{
    /// <summary>Carried while the user must change their password before anything else.</summary>
    public const string PasswordChangeRequired = "gatehouse:password_change_required";

    public static ClaimsPrincipal For(int id, string username, UserRole role, string scheme, bool mustChangePassword = false)
    {
        List<Claim> claims =
        [
            new Claim(ClaimTypes.NameIdentifier, id.ToString(CultureInfo.InvariantCulture)),
            new Claim(ClaimTypes.Name, username),
            new Claim(ClaimTypes.Role, role.ToString()),
        ];
        if (mustChangePassword)
        {
            claims.Add(new Claim(PasswordChangeRequired, "true"));
        }
        return new(new ClaimsIdentity(claims, scheme));
    }
}
