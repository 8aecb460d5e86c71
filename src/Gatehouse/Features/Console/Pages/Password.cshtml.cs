using Gatehouse.Features.Auth;

namespace Gatehouse.Features.Console.Pages;

[AllowedBeforePasswordChange]
public sealed class PasswordModel(CurrentUser current) : ConsolePageModel
{
    /// <summary>The user may do nothing else until they have changed it.</summary>
    public bool Required { get; private set; }

    public void OnGet() => Required = current.MustChangePassword;
}
