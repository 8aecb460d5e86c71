using System.Net;
using System.Text.Json.Nodes;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Admin;

/// <summary>Configuration lists answer their whole array by default, and one page of it with <c>page</c>/<c>pageSize</c>.</summary>
public sealed class ListPagingTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    private async Task<(JsonArray Items, HttpResponseMessage Response)> ListAsync(string path)
    {
        var response = await fixture.Admin.Http.GetAsync(path);
        return ((await GatehouseClient.Json(response, HttpStatusCode.OK)).AsArray(), response);
    }

    // Regression (issue 19): configuration lists had no paging, only the whole list.
    [Fact]
    public async Task Configuration_lists_had_no_paging()
    {
        for (var i = 0; i < 3; i++)
        {
            await fixture.Admin.CreateSiteAsync();
        }
        var (all, whole) = await ListAsync("/api/sites");
        Assert.False(whole.Headers.Contains("X-Total-Count"));

        var (first, firstResponse) = await ListAsync("/api/sites?page=1&pageSize=2");
        var (second, secondResponse) = await ListAsync("/api/sites?pageSize=2&page=2");

        Assert.Equal(all.Count.ToString(), firstResponse.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal(2, first.Count);
        Assert.Equal(all.Skip(2).Take(2).Select(s => s!["id"]!.GetValue<int>()), second.Select(s => s!["id"]!.GetValue<int>()));
        Assert.Equal(all.Take(2).Select(s => s!["id"]!.GetValue<int>()), first.Select(s => s!["id"]!.GetValue<int>()));
        Assert.Contains("</api/sites?page=2&pageSize=2>; rel=\"next\"", firstResponse.Headers.GetValues("Link").Single());
        Assert.Contains("</api/sites?page=1&pageSize=2>; rel=\"prev\"", secondResponse.Headers.GetValues("Link").Single());
        var (beyond, beyondResponse) = await ListAsync("/api/sites?page=1000&pageSize=2");
        Assert.Empty(beyond);
        var last = (all.Count + 1) / 2;
        Assert.Equal($"</api/sites?page={last}&pageSize=2>; rel=\"prev\"", beyondResponse.Headers.GetValues("Link").Single());
    }

    [Theory]
    [InlineData("/api/users")]
    [InlineData("/api/sites")]
    [InlineData("/api/keys")]
    [InlineData("/api/integrations")]
    [InlineData("/api/commands")]
    [InlineData("/api/automation-rules")]
    [InlineData("/api/playbooks")]
    [InlineData("/api/settings")]
    public async Task Every_configuration_list_answers_one_page_with_the_whole_count(string path)
    {
        var (all, _) = await ListAsync(path);
        var (page, response) = await ListAsync(path + "?pageSize=1");

        Assert.Equal(Math.Min(1, all.Count), page.Count);
        Assert.Equal(all.Count.ToString(), response.Headers.GetValues("X-Total-Count").Single());
    }

    [Theory]
    [InlineData("?page=0", "page")]
    [InlineData("?pageSize=501", "pageSize")]
    [InlineData("?pageSize=abc", "pageSize")]
    [InlineData("?page=1&page=2", "page")]
    [InlineData("?page=-1", "page")]
    [InlineData("?page=1%00", "page")]
    public async Task A_page_out_of_bounds_is_refused_naming_the_parameter(string query, string member)
    {
        var problem = await GatehouseClient.Problem(await fixture.Admin.Http.GetAsync("/api/users" + query), HttpStatusCode.BadRequest);

        Assert.Equal(member, problem["member"]!.GetValue<string>());
    }

    // Regression (attack pass): a name with a literal '%' came back decoded in Link and named another integration.
    // A real process: the test host's request target is not what Kestrel hands over.
    [Fact]
    public async Task Link_named_another_resource_when_the_path_held_a_percent_sign()
    {
        await using var server = new GatehouseProcess(await GatehouseStore.CreateOrSkipAsync(Provider.Sqlite), workingDirectory: TempFolder.Create());
        await server.StartAsync();
        var admin = await server.AdminAsync();
        var name = await admin.CreateIntegrationAsync(name: "x%0d%0ay " + Guid.NewGuid().ToString("N")[..6]);
        foreach (var baseUrl in new[] { "https://one.example", "https://two.example" })
        {
            var site = await admin.CreateSiteAsync();
            await admin.PutAsync($"/api/integrations/{Uri.EscapeDataString(name)}/connections/{Uri.EscapeDataString(site)}", new { baseUrl });
        }

        var response = await admin.Http.GetAsync($"/api/integrations/{Uri.EscapeDataString(name)}/connections?page=1&pageSize=1");
        await GatehouseClient.Json(response, HttpStatusCode.OK);
        var next = response.Headers.GetValues("Link").Single().Split('>')[0].TrimStart('<');

        Assert.StartsWith($"/api/integrations/{Uri.EscapeDataString(name)}/connections?", next);
        Assert.Single((await GatehouseClient.Json(await admin.Http.GetAsync(next), HttpStatusCode.OK)).AsArray());
    }

    [Fact]
    public async Task The_paging_parameters_are_documented_on_each_configuration_list()
    {
        var document = JsonNode.Parse(await fixture.Factory.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        var list = document["paths"]!["/api/users"]!["get"]!;

        Assert.Contains(list["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "pageSize");
        Assert.NotNull(list["responses"]!["200"]!["headers"]!["X-Total-Count"]);
    }
}
