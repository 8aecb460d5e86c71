using System.Net;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Durability;

/// <summary>
/// Crash loop: a data formatter that overflowed the stack used to end the real server process, and
/// after each restart the same ingestion was claimed and killed it again. Now the script's sandbox
/// process dies instead, the ingestion ends Failed after its attempts, and the server never restarts.
/// </summary>
public sealed class ScriptCrashTests
{
    [Fact]
    public async Task Crash_loop_a_stack_overflowing_formatter_is_quarantined_and_the_real_server_process_stays_up()
    {
        var store = await GatehouseStore.CreateOrSkipAsync(Provider.Sqlite);
        await using var node = new GatehouseProcess(store, new() { ["Gatehouse:Sandbox:FormatterTimeoutSeconds"] = "10" });
        await node.StartAsync();
        var admin = await node.AdminAsync();
        var formatter = Unique.Name("Overflow").Replace(' ', '_');
        await admin.PostAsync("/api/commands", new
        {
            name = formatter, features = new[] { "DataFormatter" },
            script = "function format(e) { if (!e.crash) { return e; } var a = []; for (var i = 0; i < 100000; i++) { a = [a]; } return { text: String(a) }; }",
        });
        var integration = await admin.CreateIntegrationAsync(new { mainJsonPath = "$" });
        var key = await admin.IntakeKeyAsync(integration, new { dataFormatter = formatter });

        var poisoned = await GatehouseClient.Json(await admin.SendAsync(integration, GatehouseClient.DefaultSite, new { crash = true }, key), HttpStatusCode.Accepted);
        var refid = poisoned["refid"]!.GetValue<string>();
        string? status = null;
        for (var i = 0; i < 120 && status != "Failed"; i++)
        {
            await Task.Delay(500);
            Assert.True(node.IsRunning, "the server process ended");
            status = (await admin.GetAsync($"/api/ingestions/{refid}"))["status"]!.GetValue<string>();
        }
        var after = await admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite, new { crash = false, n = 2 }, key);

        Assert.Equal("Failed", status);
        Assert.True(node.IsRunning);
        Assert.Single(after["events"]!.AsArray());
        var log = await admin.GetAsync($"/api/ingestions/{refid}");
        Assert.Equal(3, log["attempts"]!.GetValue<int>());
        Assert.Contains("Stack overflow", log.ToJsonString());
    }
}
