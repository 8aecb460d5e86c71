using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Gatehouse.Tests.Console;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Security;

/// <summary>Sign-in throttling and revocable sessions: regression tests for findings 8 and 9 of the red-team pass.</summary>
public abstract class SignInTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;
    private const string Password = "user-password-for-tests";

    private async Task<HttpResponseMessage> TokenAsync(string username, string password) =>
        await fixture.Factory.CreateClient().PostAsJsonAsync("/api/auth/token", new { username, password });

    [Fact]
    public async Task Brute_force_sign_in_is_throttled_with_back_off_and_counted_in_one_aggregated_audit_row()
    {
        var (analyst, _) = await Admin.CreateUserAsync(fixture.Factory, "Analyst", GatehouseClient.DefaultSite);
        var free = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            free.Add((await TokenAsync(analyst, $"guess-{i}")).StatusCode);
        }

        // Past the free failures even the right password is refused unchecked until the back-off passes.
        var throttled = await TokenAsync(analyst, Password);
        var throttledConsole = (await ConsoleSession.SignInAsync(fixture.Factory, analyst, Password)).Response;
        var problem = await GatehouseClient.Problem(throttled, HttpStatusCode.TooManyRequests, "sign_in_throttled");
        var retryAfter = int.Parse(throttled.Headers.GetValues("Retry-After").Single());
        await Task.Delay(TimeSpan.FromSeconds(retryAfter) + TimeSpan.FromMilliseconds(200));
        var afterBackOff = await TokenAsync(analyst, Password);

        Assert.All(free, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, throttledConsole.StatusCode);
        Assert.Contains("try again in", await throttledConsole.Content.ReadAsStringAsync());
        Assert.InRange(retryAfter, 1, 2);
        Assert.DoesNotContain(Password, problem.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, afterBackOff.StatusCode);
        var failures = await Admin.AuditAsync($"?action=user.sign_in_failed&actor={analyst}");
        var wrong = failures.Where(f => f!["reason"]!.GetValue<string>() == "wrong password").ToList();
        Assert.InRange(wrong.Count, 1, 2); // one row per minute: two only if the test crossed a minute
        Assert.Equal(5, wrong.Sum(f => f!["count"]!.GetValue<int>()));
        Assert.Contains(failures, f => f!["reason"]!.GetValue<string>() == "throttled");
        // A success resets the count: the next wrong password is an ordinary 401 again.
        Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync(analyst, "guess-again")).StatusCode);
    }

    [Fact]
    public async Task Sign_out_a_copied_console_cookie_stops_working_after_sign_out()
    {
        var (analyst, _) = await Admin.CreateUserAsync(fixture.Factory, "Analyst", GatehouseClient.DefaultSite);
        var (session, signIn) = await ConsoleSession.SignInAsync(fixture.Factory, analyst, Password);
        var cookie = string.Join("; ", signIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        var copy = fixture.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        copy.DefaultRequestHeaders.Add("Cookie", cookie);
        var beforeSignOut = await copy.GetAsync("/console/configuration");
        var token = await session.CsrfTokenAsync();

        await session.Http.PostAsync("/console/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        var replayedPage = await copy.GetAsync("/console/configuration");
        var replayedApi = await copy.GetAsync("/api/sites");

        Assert.Equal(HttpStatusCode.OK, beforeSignOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, replayedPage.StatusCode);
        Assert.Equal("/console/login", replayedPage.Headers.Location!.OriginalString.Split('?')[0]);
        await GatehouseClient.Problem(replayedApi, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_bearer_token_ends_at_logout()
    {
        var response = await TokenAsync("admin", GatehouseFactory.AdminPassword);
        var token = (await GatehouseClient.Json(response, HttpStatusCode.OK))["token"]!.GetValue<string>();
        var client = fixture.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var before = await client.GetAsync("/api/auth/me");
        var logout = await client.PostAsync("/api/auth/logout", null);
        var after = await client.GetAsync("/api/auth/me");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task Host_header_is_reflected_neither_into_redirects_nor_into_request_urls()
    {
        var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$" });
        var key = await Admin.CreateKeyAsync(integration);
        var visitor = ConsoleSession.NewClient(fixture.Factory);

        var viewRequest = new HttpRequestMessage(HttpMethod.Get, $"/api/keys/{key.Id}");
        viewRequest.Headers.Host = "attacker.example";
        var view = await GatehouseClient.Json(await Admin.Http.SendAsync(viewRequest), HttpStatusCode.OK);
        var pageRequest = new HttpRequestMessage(HttpMethod.Get, "/console/events");
        pageRequest.Headers.Host = "attacker.example";
        var redirect = await visitor.SendAsync(pageRequest);

        Assert.DoesNotContain("attacker.example", view["requestUrls"]!.ToJsonString());
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.False(redirect.Headers.Location!.IsAbsoluteUri, redirect.Headers.Location.ToString());
        Assert.StartsWith("/console/login", redirect.Headers.Location.OriginalString);
    }
}

public sealed class SignInTestsOnSqlite(SqliteFixture fixture) : SignInTests(fixture), IClassFixture<SqliteFixture>;

public sealed class SignInTestsOnPostgres(PostgresFixture fixture) : SignInTests(fixture), IClassFixture<PostgresFixture>;
