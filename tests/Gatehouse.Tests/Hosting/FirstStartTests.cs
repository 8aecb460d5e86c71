using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Hosting;

/// <summary>The first start of the real executable, and a later start on the same data directory.</summary>
public partial class FirstStartTests
{
    [Fact]
    public async Task The_generated_admin_password_must_be_changed_before_anything_else_and_a_later_admin_password_flag_is_ignored_with_a_warning()
    {
        var store = await GatehouseStore.CreateOrSkipAsync(Provider.Sqlite);
        string generated;
        await using (var first = new GatehouseProcess(store, new() { ["Gatehouse:Admin:Password"] = null }, quiet: false))
        {
            await first.StartAsync();
            generated = PrintedPassword().Match(string.Join("\n", first.Output)).Groups[1].Value;
            Assert.False(string.IsNullOrEmpty(generated), string.Join("\n", first.Output));

            var signIn = await GatehouseClient.Json(await first.Client.PostAsJsonAsync("/api/auth/token", new { username = "admin", password = generated }), HttpStatusCode.OK);
            Assert.True(signIn["mustChangePassword"]!.GetValue<bool>());
            first.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", signIn["token"]!.GetValue<string>());

            await GatehouseClient.Problem(await first.Client.GetAsync("/api/sites"), HttpStatusCode.Forbidden, "password_change_required");
            await GatehouseClient.Problem(await first.Client.PostAsJsonAsync("/api/users", new { username = "x", password = "long-enough", role = "Administrator" }), HttpStatusCode.Forbidden, "password_change_required");
            Assert.True((await GatehouseClient.Json(await first.Client.GetAsync("/api/auth/me"), HttpStatusCode.OK))["mustChangePassword"]!.GetValue<bool>());
            Assert.Equal(HttpStatusCode.NoContent, (await first.Client.PostAsJsonAsync("/api/auth/password", new { currentPassword = generated, newPassword = "chosen-by-the-admin" })).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await first.Client.GetAsync("/api/auth/me")).StatusCode);

            var admin = await GatehouseClient.LoginAsync(new HttpClient { BaseAddress = first.Client.BaseAddress }, "admin", "chosen-by-the-admin");
            Assert.False((await admin.GetAsync("/api/auth/me"))["mustChangePassword"]!.GetValue<bool>());
            await admin.GetAsync("/api/sites");
        }

        await using var second = new GatehouseProcess(store, new() { ["Gatehouse:Admin:Password"] = "another-password-flag" }, quiet: false);
        await second.StartAsync();

        Assert.Contains(second.Output, line => line.Contains("Gatehouse:Admin:Password is ignored", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Unauthorized, (await second.Client.PostAsJsonAsync("/api/auth/token", new { username = "admin", password = "another-password-flag" })).StatusCode);
        Assert.DoesNotContain(second.Output, line => line.Contains("another-password-flag", StringComparison.Ordinal));
    }

    [GeneratedRegex("with the password: (\\S+)")]
    private static partial Regex PrintedPassword();
}
