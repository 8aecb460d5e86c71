using System.Net;
using System.Text;
using Gatehouse.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Tests.Keys;

/// <summary>A key's source allow-list behind a reverse proxy: X-Forwarded-For counts only from the proxies the operator names.</summary>
public sealed class TrustedProxyTests
{
    private static async Task<int> SendFromAsync(GatehouseFactory factory, string integration, string key, string connection, string? forwardedFor)
    {
        var context = await factory.Server.SendAsync(c =>
        {
            c.Request.Method = "POST";
            c.Request.Path = $"/VSOC/api/Data/{integration}/{GatehouseClient.DefaultSite}/CreateEvents";
            c.Request.QueryString = new QueryString("?wait=10");
            c.Request.ContentType = "application/json";
            c.Request.Headers["d3key"] = key;
            if (forwardedFor is not null)
            {
                c.Request.Headers["X-Forwarded-For"] = forwardedFor;
            }
            c.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes("""{"title": "from behind a proxy"}"""));
            c.Connection.RemoteIpAddress = IPAddress.Parse(connection);
        });
        return context.Response.StatusCode == StatusCodes.Status200OK ? StatusCodes.Status202Accepted : context.Response.StatusCode;
    }

    private static async Task<(string Integration, string Key)> AllowListedKeyAsync(GatehouseFactory factory)
    {
        var admin = await factory.AdminAsync();
        var integration = await admin.CreateIntegrationAsync(new { mainJsonPath = "$", fieldMappings = new[] { new { field = "Title", source = "$.title" } } });
        return (integration, await admin.IntakeKeyAsync(integration, new { allowedSources = new[] { "203.0.113.0/24" } }));
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_forwarded_client_address_is_checked_against_the_allow_list()
    {
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(Provider.Sqlite), new() { ["Gatehouse:Webhooks:TrustedProxies:0"] = "10.0.0.0/8" });
        var (integration, key) = await AllowListedKeyAsync(factory);
        Assert.Equal(StatusCodes.Status202Accepted, await SendFromAsync(factory, Uri.EscapeDataString(integration), key, "10.1.2.3", "203.0.113.9"));
        var admin = await factory.AdminAsync();
        var received = (await admin.GetAsync($"/api/ingestions?integration={Uri.EscapeDataString(integration)}"))["items"]![0]!["refid"]!.GetValue<string>();
        Assert.Equal("203.0.113.9", (await admin.GetAsync($"/api/ingestions/{received}"))["sourceAddress"]!.GetValue<string>());
        Assert.Equal(StatusCodes.Status202Accepted, await SendFromAsync(factory, Uri.EscapeDataString(integration), key, "10.1.2.3", "198.51.100.1, 203.0.113.9, 10.7.7.7"));
        Assert.Equal(StatusCodes.Status401Unauthorized, await SendFromAsync(factory, Uri.EscapeDataString(integration), key, "10.1.2.3", "203.0.113.9, 198.51.100.1"));
        // Only a trusted proxy's header counts: a client cannot claim an allowed address itself.
        Assert.Equal(StatusCodes.Status401Unauthorized, await SendFromAsync(factory, Uri.EscapeDataString(integration), key, "198.51.100.1", "203.0.113.9"));
    }

    [Fact]
    public async Task Without_trusted_proxies_X_Forwarded_For_is_ignored()
    {
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(Provider.Sqlite));
        var (integration, key) = await AllowListedKeyAsync(factory);
        Assert.Equal(StatusCodes.Status401Unauthorized, await SendFromAsync(factory, Uri.EscapeDataString(integration), key, "10.1.2.3", "203.0.113.9"));
        Assert.Equal(StatusCodes.Status202Accepted, await SendFromAsync(factory, Uri.EscapeDataString(integration), key, "203.0.113.50", "198.51.100.1"));
    }

    [Fact]
    public async Task Regression_behind_a_trusted_proxy_one_clients_failed_sign_ins_do_not_throttle_everyone_elses()
    {
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(Provider.Sqlite), new() { ["Gatehouse:Webhooks:TrustedProxies:0"] = "10.0.0.0/8" });
        await factory.AdminAsync();
        async Task<int> SignInAsync(string username, string password, string client)
        {
            var context = await factory.Server.SendAsync(c =>
            {
                c.Request.Method = "POST";
                c.Request.Path = "/api/auth/token";
                c.Request.ContentType = "application/json";
                c.Request.Headers["X-Forwarded-For"] = client;
                var json = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new { username, password }));
                c.Request.Body = new MemoryStream(json);
                c.Request.ContentLength = json.Length;
                // Minimal APIs read the body through its pipe, which the test server would otherwise keep empty.
                c.Features.Set<Microsoft.AspNetCore.Http.Features.IRequestBodyPipeFeature>(new BodyPipe(c.Request.Body));
                c.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>(new BodyPipe(c.Request.Body));
                c.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3");
            });
            return context.Response.StatusCode;
        }
        for (var i = 0; i < 24; i++)
        {
            Assert.NotEqual(StatusCodes.Status200OK, await SignInAsync($"nobody{i}", "wrong-password", "198.51.100.66"));
        }
        Assert.Equal(StatusCodes.Status429TooManyRequests, await SignInAsync("nobody", "wrong-password", "198.51.100.66"));
        Assert.Equal(StatusCodes.Status200OK, await SignInAsync("admin", GatehouseFactory.AdminPassword, "203.0.113.5"));
    }

    private sealed class BodyPipe(Stream body) : Microsoft.AspNetCore.Http.Features.IRequestBodyPipeFeature, Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => true;

        public System.IO.Pipelines.PipeReader Reader { get; } = System.IO.Pipelines.PipeReader.Create(body);
    }
}
