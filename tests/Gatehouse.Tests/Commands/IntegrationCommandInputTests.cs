using System.Net;
using System.Text;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Commands;

/// <summary>Integration commands that are not what they should be: refused with a 400 naming the command, on save and on the console's live check.</summary>
public sealed class IntegrationCommandInputTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    [Theory]
    [InlineData("[null]")]
    [InlineData("""[{"name": "a", "request": {"method": null, "path": null}}]""")]
    [InlineData("""[{"name": "a", "request": {"method": "GET", "path": "/x", "headers": {"X-Tag": null}}}]""")]
    [InlineData("""[{"name": "a", "request": {"method": "GET", "path": "/x", "query": {"q": null}}}]""")]
    [InlineData("""[{"name": "a", "request": {"method": "GET", "path": "/x"}, "parameters": [null]}]""")]
    public async Task Regression_a_null_where_a_command_text_or_parameter_belongs_is_a_400_not_a_500(string commands)
    {
        foreach (var (url, body) in new[]
        {
            ("/api/integrations/commands/validate", $$"""{"commands": {{commands}}}"""),
            ("/api/integrations", $$"""{"name": "{{Unique.Name("Nulls")}}", "eventIntake": {"mainJsonPath": "$", "fieldMappings": []}, "commands": {{commands}}}"""),
        })
        {
            var problem = await GatehouseClient.Problem(await fixture.Admin.Http.PostAsync(url, new StringContent(body, Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
            Assert.Contains("commands[0]", problem["Error"]!.GetValue<string>());
        }
    }
}
