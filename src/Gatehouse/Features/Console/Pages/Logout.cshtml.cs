using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace Gatehouse.Features.Console.Pages;

[Features.Auth.AllowedBeforePasswordChange]
public sealed class LogoutModel(Features.Auth.Sessions sessions) : ConsolePageModel
{
    public IActionResult OnGet() => Redirect("/console");

    /// <summary>Ends the session in the database too, so a copy of the cookie stops working on every node.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        if (User.FindFirst(Features.Auth.Sessions.SessionClaim)?.Value is { } session)
        {
            await sessions.EndAsync(session, HttpContext.RequestAborted);
        }
        await HttpContext.SignOutAsync(ConsoleAuth.Scheme);
        return Redirect("/console/login");
    }
}
