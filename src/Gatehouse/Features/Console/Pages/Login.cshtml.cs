using Gatehouse.Features.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace Gatehouse.Features.Console.Pages;

public sealed class LoginModel(Credentials credentials, Sessions sessions) : ConsolePageModel
{
    public string? Username { get; private set; }

    public string? ReturnUrl { get; private set; }

    public string? Error { get; private set; }

    public IActionResult OnGet(string? returnUrl)
    {
        ReturnUrl = returnUrl;
        return User.Identity?.IsAuthenticated == true ? LocalRedirect(SafeReturn(returnUrl)) : Page();
    }

    // Read from the form, not bound as handler arguments: MVC's trace log prints handler arguments, and one is a password.
    public async Task<IActionResult> OnPostAsync()
    {
        var form = await Request.ReadFormAsync(Aborted);
        string? username = form["username"], password = form["password"], returnUrl = form["returnUrl"];
        var outcome = await credentials.SignInAsync(username, password, "console", Aborted);
        if (outcome.User is not { } user)
        {
            Username = username;
            ReturnUrl = returnUrl;
            if (outcome.RetryAfter is { } wait)
            {
                Error = $"Too many failed sign-ins; try again in {Infrastructure.Problems.RetryAfter(HttpContext, wait)} s.";
                Response.StatusCode = StatusCodes.Status429TooManyRequests;
                return Page();
            }
            Error = "The username or password is not correct.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        var (session, _) = await sessions.StartAsync(user, Aborted);
        await HttpContext.SignInAsync(ConsoleAuth.Scheme, ConsoleAuth.Principal(user, session));
        return LocalRedirect(SafeReturn(returnUrl));
    }

    /// <summary>Only console pages are return targets, so a crafted link cannot send a user elsewhere.</summary>
    private string SafeReturn(string? returnUrl) =>
        returnUrl is not null && Url.IsLocalUrl(returnUrl) && returnUrl.StartsWith("/console", StringComparison.Ordinal) ? returnUrl : "/console";
}
