using System.Net;
using System.Text;
using Gatehouse.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Tests.Console;

public abstract class ConsoleAuthTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;
    private GatehouseFactory Factory => fixture.Factory;

    [Fact]
    public async Task Console_pages_send_a_visitor_without_a_session_to_sign_in()
    {
        var response = await ConsoleSession.NewClient(Factory).GetAsync("/console/events?status=New");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/console/login?ReturnUrl=", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Signing_in_sets_an_http_only_same_site_strict_cookie_and_pages_carry_a_strict_content_security_policy()
    {
        var (session, response) = await ConsoleSession.SignInAsync(Factory, "admin", GatehouseFactory.AdminPassword, "/console/events");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/console/events", response.Headers.Location!.OriginalString);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("gatehouse.console=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        var page = await session.Http.GetAsync("/console/events");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
    }

    [Fact]
    public async Task A_wrong_password_gets_the_form_again_with_a_401_no_session_and_an_audited_reason()
    {
        var (analyst, _) = await Admin.CreateUserAsync(Factory, "Analyst", GatehouseClient.DefaultSite);
        var (session, response) = await ConsoleSession.SignInAsync(Factory, analyst, "wrong-password-7f3a");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("The username or password is not correct.", page);
        Assert.DoesNotContain("wrong password", page);
        Assert.Equal(HttpStatusCode.Redirect, (await session.Http.GetAsync("/console/configuration")).StatusCode);
        var failure = Assert.Single(await Admin.AuditAsync($"?action=user.sign_in_failed&actor={analyst}"));
        Assert.Equal("wrong password", failure!["reason"]!.GetValue<string>());
        Assert.Equal("console", failure["target"]!.GetValue<string>());
        Assert.DoesNotContain("wrong-password-7f3a", failure.ToJsonString());
        Assert.Single(await Admin.AuditAsync($"?action=user.signed_in&actor={analyst}"));
    }

    [Fact]
    public async Task Passwords_even_one_typed_as_the_username_are_kept_neither_in_the_audit_nor_in_the_logs_at_trace_level()
    {
        var typed = "Summer-2026-" + Guid.NewGuid().ToString("N")[..8];
        var password = "Winter-2026-" + Guid.NewGuid().ToString("N")[..8];

        var (_, response) = await ConsoleSession.SignInAsync(Factory, typed, password);
        await ConsoleSession.SignInAsync(Factory, "admin", password);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var failures = await Admin.AuditAsync("?action=user.sign_in_failed&pageSize=500");
        Assert.Contains(failures, f => f!["reason"]!.GetValue<string>() == "unknown user" && f["actor"]!.GetValue<string>() == "(unknown user)");
        Assert.DoesNotContain(typed, failures.ToJsonString());
        Assert.DoesNotContain(password, failures.ToJsonString());
        var leaked = Factory.Logs.Where(line => line.Contains(typed, StringComparison.Ordinal) || line.Contains(password, StringComparison.Ordinal)).ToList();
        Assert.True(leaked.Count == 0, string.Join("\n", leaked));
    }

    [Fact]
    public async Task Sign_in_never_redirects_outside_the_console()
    {
        var (_, response) = await ConsoleSession.SignInAsync(Factory, "admin", GatehouseFactory.AdminPassword, "https://attacker.example/console");

        Assert.Equal("/console", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task An_API_change_carried_by_the_console_cookie_needs_the_antiforgery_token()
    {
        var session = await ConsoleSession.AdminAsync(Factory);
        var site = new StringContent($"{{\"name\":\"{Unique.Name("Csrf site")}\",\"kind\":\"Client\"}}", Encoding.UTF8, "application/json");

        var forged = await session.Http.PostAsync("/api/sites", site);
        await GatehouseClient.Problem(forged, HttpStatusCode.BadRequest, "csrf_token_invalid");

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/sites") { Content = site };
        request.Headers.Add("X-CSRF-Token", await session.CsrfTokenAsync());
        Assert.Equal(HttpStatusCode.Created, (await session.Http.SendAsync(request)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await session.Http.GetAsync("/api/sites")).StatusCode);
    }

    [Fact]
    public async Task An_analyst_session_has_the_analyst_role_and_sites_of_the_API()
    {
        var otherSite = await Admin.CreateSiteAsync();
        var integration = await Admin.CreateIntegrationAsync();
        var (otherKeyId, otherSiteKey, _) = await Admin.CreateKeyAsync(integration, otherSite);
        var hidden = await Admin.SendAndWaitAsync(integration, otherSite, new { title = "other site" }, otherSiteKey);
        var hiddenEvent = hidden["events"]![0]!["id"]!.GetValue<long>();
        var (analyst, _) = await Admin.CreateUserAsync(Factory, "Analyst", GatehouseClient.DefaultSite);
        var (session, _) = await ConsoleSession.SignInAsync(Factory, analyst, "user-password-for-tests");

        Assert.Equal("/console/denied", (await session.Http.GetAsync("/console/audit")).Headers.Location!.OriginalString.Split('?')[0]);
        Assert.Equal(HttpStatusCode.NotFound, (await session.Http.GetAsync($"/console/events/{hiddenEvent}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await session.Http.GetAsync($"/console/keys/{otherKeyId}")).StatusCode);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/sites")
        {
            Content = new StringContent("{\"name\":\"Not mine\",\"kind\":\"Client\"}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-CSRF-Token", await session.CsrfTokenAsync());
        await GatehouseClient.Problem(await session.Http.SendAsync(request), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_user_disabled_after_signing_in_loses_the_console_session()
    {
        var (analyst, _) = await Admin.CreateUserAsync(Factory, "Analyst", GatehouseClient.DefaultSite);
        var (session, _) = await ConsoleSession.SignInAsync(Factory, analyst, "user-password-for-tests");
        Assert.Equal(HttpStatusCode.OK, (await session.Http.GetAsync("/console/configuration")).StatusCode);

        await using (var db = Factory.Store.OpenDb())
        {
            await db.Users.Where(u => u.Username == analyst).ExecuteUpdateAsync(u => u.SetProperty(x => x.Enabled, false));
        }

        var page = await session.Http.GetAsync("/console/configuration");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/console/login", page.Headers.Location!.OriginalString.Split('?')[0]);
        await GatehouseClient.Problem(await session.Http.GetAsync("/api/sites"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        var session = await ConsoleSession.AdminAsync(Factory);
        var token = await session.CsrfTokenAsync();

        var response = await session.Http.PostAsync("/console/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));

        Assert.Equal("/console/login", response.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await session.Http.GetAsync("/console/configuration")).StatusCode);
    }
}

public sealed class ConsoleAuthTestsOnSqlite(SqliteFixture fixture) : ConsoleAuthTests(fixture), IClassFixture<SqliteFixture>;

public sealed class ConsoleAuthTestsOnPostgres(PostgresFixture fixture) : ConsoleAuthTests(fixture), IClassFixture<PostgresFixture>;
