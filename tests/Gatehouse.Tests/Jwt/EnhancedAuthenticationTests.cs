using System.Net;
using System.Net.Http.Json;
using Gatehouse.Tests.Infrastructure;
using static Gatehouse.Tests.Jwt.JwtTestKit;

namespace Gatehouse.Tests.Jwt;

/// <summary>EnableEnhanceWebhookAuthentication switched at run time, both ways, on a host of its own.</summary>
public abstract class EnhancedAuthenticationTests(Provider provider)
{
    private const string Site = GatehouseClient.DefaultSite;
    private const string Setting = "/api/settings/EnableEnhanceWebhookAuthentication";

    [Fact]
    public async Task The_setting_decides_between_api_keys_and_tokens_and_takes_effect_at_once_both_ways()
    {
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(provider));
        var admin = await factory.AdminAsync();
        var integration = await admin.CreateIntegrationAsync();
        var apiKey = await admin.CreateKeyAsync(integration);
        var jwtRequest = new { name = Unique.Name("JWT"), module = "DataIngestion", method = "Jwt", site = Site, integration, intake = "Event", payloadFields = new[] { "Timestamp" } };

        // Off (the default): no JWT keys, tokens refused as disabled, API keys work.
        var refusedKey = await GatehouseClient.Problem(await admin.Http.PostAsJsonAsync("/api/keys", jwtRequest), HttpStatusCode.Conflict, "jwt_disabled");
        Assert.Contains("EnableEnhanceWebhookAuthentication", refusedKey["Error"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Accepted, (await admin.SendAsync(integration, Site, new { n = 1 }, apiKey.Value)).StatusCode);

        // On: JWT keys work, and every request without a valid token is refused, API keys included.
        await admin.PutAsync(Setting, new { value = true });
        var (view, secret) = await JwtKeyAsync(admin, jwtRequest);
        var body = ToJson(new { Timestamp = Now() });
        var token = Forge(Header(view["kid"]!.GetValue<string>()), body, secret);
        Assert.Equal(HttpStatusCode.Accepted, (await SendWithTokenAsync(admin, integration, Site, body, token)).StatusCode);
        var apiKeyRefused = await GatehouseClient.Problem(await admin.SendAsync(integration, Site, new { n = 2 }, apiKey.Value), HttpStatusCode.Unauthorized);
        Assert.Contains("requires a valid token", apiKeyRefused["Error"]!.GetValue<string>());
        await GatehouseClient.Problem(await admin.SendAsync(integration, Site, new { n = 3 }, null), HttpStatusCode.Unauthorized);

        // Off again: the JWT key's tokens are refused as disabled, API keys work again.
        await admin.PutAsync(Setting, new { value = false });
        var tokenRefused = await GatehouseClient.Problem(await SendWithTokenAsync(admin, integration, Site, body, token), HttpStatusCode.Unauthorized);
        Assert.Contains("JWT authentication is disabled", tokenRefused["Error"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Accepted, (await admin.SendAsync(integration, Site, new { n = 4 }, apiKey.Value)).StatusCode);

        var changes = await admin.AuditAsync("?action=setting.changed");
        Assert.Equal(2, changes.Count);
        var reasons = (await admin.AuditAsync("?action=webhook.auth_failed&pageSize=100")).Select(r => r!["reason"]!.GetValue<string>()).ToHashSet();
        Assert.Superset(new HashSet<string> { "TokenRequired", "JwtDisabled" }, reasons);
    }
}

public sealed class EnhancedAuthenticationTestsOnSqlite() : EnhancedAuthenticationTests(Provider.Sqlite);

public sealed class EnhancedAuthenticationTestsOnPostgres() : EnhancedAuthenticationTests(Provider.Postgres);
