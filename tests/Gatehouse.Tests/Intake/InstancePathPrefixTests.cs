using System.Net;
using System.Text;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Intake;

/// <summary>The vendor's URLs live under an instance path: any prefix before /VSOC/api/ is served, in any case.</summary>
public sealed class InstancePathPrefixTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    private GatehouseClient Admin => fixture.Admin;

    [Theory]
    [InlineData("/elasticsearch/VSOC/api/Data/{0}/Security%20Operations/CreateEvents")]
    [InlineData("/ce_site/vsoc/API/data/{0}/security%20operations/createevents")]
    [InlineData("/MainApp/tenant-1/VSOC/api/Data/{0}/Security%20Operations/CreateEvents")]
    [InlineData("/ce_site/VSOC//api/Data/{0}/Security%20Operations/CreateEvents")]
    [InlineData("/VSOC//api/Data/{0}/Security%20Operations/CreateEvents")]
    public async Task Intake_under_an_instance_prefix_is_accepted(string path)
    {
        var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$" });
        var key = await Admin.IntakeKeyAsync(integration);
        var request = new HttpRequestMessage(HttpMethod.Post, string.Format(System.Globalization.CultureInfo.InvariantCulture, path, Uri.EscapeDataString(integration)))
        {
            Content = new StringContent("""{"alert":"prefixed"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("d3key", key);

        var answer = await GatehouseClient.Json(await Admin.Http.SendAsync(request), HttpStatusCode.Accepted);

        Assert.False(string.IsNullOrEmpty(answer["refid"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("/ce_site/api/Data/x/y/CreateEvents")]
    [InlineData("/ce_site/VSOCapi/Data/x/y/CreateEvents")]
    [InlineData("/ce_site/VSOC/Data/x/y/CreateEvents")]
    public async Task Paths_without_VSOC_api_are_not_webhooks(string path)
    {
        var response = await Admin.Http.PostAsync(path, new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Request_urls_carry_the_configured_public_base_url_with_its_instance_path()
    {
        await using var factory = new GatehouseFactory(await GatehouseStore.CreateOrSkipAsync(Provider.Sqlite), new() { ["Gatehouse:PublicBaseUrl"] = "https://soar.example.com/ce_site/" });
        var admin = await factory.AdminAsync();
        var integration = await admin.CreateIntegrationAsync(new { mainJsonPath = "$" });

        var (_, _, view) = await admin.CreateKeyAsync(integration, GatehouseClient.DefaultSite);

        Assert.Equal($"https://soar.example.com/ce_site/VSOC/api/Data/{Uri.EscapeDataString(integration)}/Security%20Operations/CreateEvents",
            view["requestUrls"]![0]!["url"]!.GetValue<string>());
    }
}
