using System.Net;
using System.Text;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Intake;

/// <summary>Text that is valid JSON but hard to store: NUL characters, over-long External IDs, half surrogates from a formatter.</summary>
public abstract class HostileTextTests(GatehouseFixture fixture)
{
    private GatehouseClient Admin => fixture.Admin;
    private const string Site = GatehouseClient.DefaultSite;

    [Fact]
    public async Task NUL_characters_and_an_over_long_External_ID_failed_the_whole_request_on_PostgreSQL()
    {
        // Regression: a NUL in a mapped value, or an External ID too long for its index, made PostgreSQL refuse the batch,
        // and the request — its good events with it — was retried and quarantined.
        var integration = await Admin.CreateIntegrationAsync(new
        {
            mainJsonPath = "$.events[*]", fieldMappings = new[] { new { field = "Title", source = "$.title" }, new { field = "External ID", source = "$.id" } },
        });
        var key = await Admin.IntakeKeyAsync(integration);
        var body = $$"""{"events":[{"title":"a\u0000b","id":"nul\u0000id"},{"title":"long","id":"{{new string('x', 4000)}}"},{"title":"good sibling"}]}""";

        var result = await Admin.SendAndWaitAsync(integration, Site, body, key);

        Assert.Equal("Processed", result["status"]!.GetValue<string>());
        var titles = result["events"]!.AsArray().Select(e => e!["fields"]!["Title"]!.GetValue<string>()).ToList();
        Assert.Equal(["a\uFFFDb", "good sibling"], titles);
        Assert.Contains(result["errors"]!.AsArray(), e => e!["message"]!.GetValue<string>().Contains("External ID is longer than 512", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_NUL_character_in_a_sign_in_or_a_filter_is_a_4xx_not_a_500()
    {
        using var signIn = await Admin.Http.PostAsync("/api/auth/token", new StringContent("""{"username":"ad\u0000min","password":"x"}""", Encoding.UTF8, "application/json"));
        Assert.True(signIn.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, $"{signIn.StatusCode}");
        using var filter = await Admin.Http.GetAsync("/api/events?site=%00");
        Assert.True((int)filter.StatusCode is >= 200 and < 500, $"{filter.StatusCode}");
    }

    [Fact]
    public async Task A_formatter_that_slices_an_emoji_in_half_keeps_the_event()
    {
        var formatter = Unique.Name("Slice").Replace(' ', '_');
        await Admin.PostAsync("/api/commands", new { name = formatter, features = new[] { "DataFormatter" }, script = "function format(e) { e.title = e.title.slice(0, 5); return e; }" });
        var integration = await Admin.CreateIntegrationAsync(new { mainJsonPath = "$.events[*]", fieldMappings = new[] { new { field = "Title", source = "$.title" } } });
        var key = await Admin.IntakeKeyAsync(integration, new { dataFormatter = formatter });

        var result = await Admin.SendAndWaitAsync(integration, Site, new { events = new[] { new { title = "abcd\U0001F600 alert" }, new { title = "plain title" } } }, key);

        Assert.Equal(["abcd\uFFFD", "plain"], result["events"]!.AsArray().Select(e => e!["fields"]!["Title"]!.GetValue<string>()));
    }
}

public sealed class HostileTextTestsOnSqlite(SqliteFixture fixture) : HostileTextTests(fixture), IClassFixture<SqliteFixture>;

public sealed class HostileTextTestsOnPostgres(PostgresFixture fixture) : HostileTextTests(fixture), IClassFixture<PostgresFixture>;
