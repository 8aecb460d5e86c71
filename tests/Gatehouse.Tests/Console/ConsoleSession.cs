using System.Net;
using System.Text.RegularExpressions;
using Gatehouse.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Gatehouse.Tests.Console;

/// <summary>A browser-like HTTP client of the console: cookies kept, redirects not followed.</summary>
public sealed partial class ConsoleSession(HttpClient http)
{
    public HttpClient Http { get; } = http;

    public static HttpClient NewClient(GatehouseFactory factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Signs in through the login form, as a browser does (its antiforgery token included).</summary>
    public static async Task<(ConsoleSession Session, HttpResponseMessage Response)> SignInAsync(
        GatehouseFactory factory, string username, string password, string? returnUrl = null)
    {
        var http = NewClient(factory);
        var form = await http.GetStringAsync("/console/login");
        var fields = new Dictionary<string, string>
        {
            ["username"] = username,
            ["password"] = password,
            ["__RequestVerificationToken"] = FormToken().Match(form).Groups[1].Value,
        };
        if (returnUrl is not null)
        {
            fields["returnUrl"] = returnUrl;
        }
        var response = await http.PostAsync("/console/login", new FormUrlEncodedContent(fields));
        return (new ConsoleSession(http), response);
    }

    public static async Task<ConsoleSession> AdminAsync(GatehouseFactory factory)
    {
        var (session, response) = await SignInAsync(factory, "admin", GatehouseFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return session;
    }

    /// <summary>The antiforgery token a console page carries for its API calls.</summary>
    public async Task<string> CsrfTokenAsync()
    {
        var page = await Http.GetStringAsync("/console/configuration");
        return MetaToken().Match(page).Groups[1].Value;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]+)\"")]
    private static partial Regex MetaToken();
}
