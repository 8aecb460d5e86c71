using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Gatehouse.Storage;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Admin;

/// <summary>
/// Regression: two admin requests creating the same name at once both passed the duplicate check,
/// and the one that lost at the unique index got a 500. The loser gets the same 409 as a plain duplicate.
/// </summary>
public abstract class ConcurrentCreateTests(GatehouseFixture fixture)
{
    private const int Racers = 12;

    private GatehouseClient Admin => fixture.Admin;

    public static TheoryData<string> Collections() => ["/api/sites", "/api/users", "/api/integrations", "/api/commands", "/api/playbooks"];

    [Theory]
    [MemberData(nameof(Collections))]
    public async Task Concurrent_creates_of_one_name_give_one_success_and_409s_never_a_500(string collection)
    {
        var name = Unique.Name("Race").Replace(' ', '_');
        var body = Body(collection, name);
        using var start = new ManualResetEventSlim();

        var racing = Enumerable.Range(0, Racers).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            var response = await Admin.Http.PostAsJsonAsync(collection, body);
            return (response.StatusCode, Text: await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
        })).ToList();
        start.Set();
        var responses = await Task.WhenAll(racing);

        var report = string.Join("\n", responses.Select(r => $"{(int)r.StatusCode} {r.Text}"));
        Assert.Single(responses, r => (int)r.StatusCode is >= 200 and < 300);
        Assert.All(responses.Where(r => (int)r.StatusCode is < 200 or >= 300), r =>
        {
            Assert.True(r.StatusCode == HttpStatusCode.Conflict, report);
            Assert.Equal("application/problem+json", r.MediaType);
            var problem = JsonNode.Parse(r.Text)!;
            Assert.Equal(ExistsCode(collection), problem["code"]!.GetValue<string>());
            Assert.Equal(409, problem["status"]!.GetValue<int>());
            Assert.Contains(name, problem["Error"]!.GetValue<string>());
            Assert.Equal(collection == "/api/users" ? "username" : "name", problem["member"]!.GetValue<string>());
        });
    }

    [Fact]
    public async Task A_create_that_loses_the_race_at_the_unique_index_gets_the_plain_duplicates_409()
    {
        // Another writer holds the name in an open transaction: the request's own check cannot see
        // it, so the request reaches the unique index, waits for that writer, and is refused there.
        var name = Unique.Name("Held");
        await using var other = fixture.Factory.Store.OpenDb();
        await using var transaction = await other.Database.BeginTransactionAsync();
        other.Sites.Add(new Site { Name = name, NormalizedName = Normalize.Name(name), Kind = Core.Auth.SiteKind.Client, CreatedAt = DateTimeOffset.UtcNow });
        await other.SaveChangesAsync();

        var request = Admin.Http.PostAsJsonAsync("/api/sites", new { name, kind = "Client" });
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(request.IsCompleted, "the request did not wait for the other writer");
        await transaction.CommitAsync();

        var problem = await GatehouseClient.Problem(await request, HttpStatusCode.Conflict, "site_exists");
        Assert.Equal($"A site named '{name}' already exists.", problem["Error"]!.GetValue<string>());
        Assert.Equal("name", problem["member"]!.GetValue<string>());
    }

    private static string ExistsCode(string collection) => collection switch
    {
        "/api/sites" => "site_exists",
        "/api/users" => "user_exists",
        "/api/integrations" => "integration_exists",
        "/api/commands" => "command_exists",
        _ => "playbook_exists",
    };

    private static object Body(string collection, string name) => collection switch
    {
        "/api/sites" => new { name, kind = "Client" },
        "/api/users" => new { username = name, password = "long-enough-password", role = "Analyst" },
        "/api/integrations" => new { name },
        "/api/commands" => new { name, script = "function main(params) { return 1; }" },
        _ => new { name, kind = "Event", tasks = new[] { new { id = "a", command = "ExtractArtifacts", @params = new Dictionary<string, object> { ["Text"] = "{{ $.event.Title }}" } } } },
    };
}

public sealed class ConcurrentCreateTestsOnSqlite(SqliteFixture fixture) : ConcurrentCreateTests(fixture), IClassFixture<SqliteFixture>;

public sealed class ConcurrentCreateTestsOnPostgres(PostgresFixture fixture) : ConcurrentCreateTests(fixture), IClassFixture<PostgresFixture>;
