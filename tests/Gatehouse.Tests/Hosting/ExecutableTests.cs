using System.Net;
using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Hosting;

/// <summary>The built executable (<c>dotnet gatehouse.dll</c>), started the way an operator starts it.</summary>
public class ExecutableTests
{
    /// <summary>
    /// Regression: started from another folder, the executable took the working directory as its
    /// content root, missed its appsettings.json and logged every SQL statement and every request line
    /// with its query string (which can carry a token): about 50 lines a second while idle.
    /// </summary>
    [Theory]
    [InlineData(true)]  // its own appsettings.json, found from any working directory
    [InlineData(false)] // a content root without one: the levels set in code
    public async Task Started_outside_its_folder_it_logs_no_sql_no_query_strings_and_little_while_idle(bool ownAppSettings)
    {
        var store = await GatehouseStore.CreateOrSkipAsync(Provider.Sqlite);
        var settings = ownAppSettings ? null : new Dictionary<string, string?> { ["contentRoot"] = TempFolder.Create() };
        await using var server = new GatehouseProcess(store, settings, workingDirectory: TempFolder.Create(), quiet: false);
        await server.StartAsync();
        var marker = Guid.NewGuid().ToString("N");

        var admin = await server.AdminAsync();
        await admin.GetAsync($"/api/events?search={marker}");
        await server.Client.GetAsync($"/api/events?access_token={marker}");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var beforeIdle = server.Output.Count;
        await Task.Delay(TimeSpan.FromSeconds(3));
        var idle = server.Output.Skip(beforeIdle).ToList();

        var log = string.Join("\n", server.Output);
        Assert.DoesNotContain("Executed DbCommand", log);
        Assert.DoesNotContain(marker, log);
        Assert.True(idle.Count < 5, $"{idle.Count} lines in 3 idle seconds:\n{string.Join("\n", idle)}");
        Assert.Contains("Now listening on", log); // the log is not simply off
    }

    [Fact]
    public async Task Without_a_data_directory_setting_the_data_lives_in_data_of_the_working_directory()
    {
        var workingDirectory = TempFolder.Create();
        var store = new GatehouseStore(Provider.Sqlite, Path.Combine(workingDirectory, "data"), null);
        await using var server = new GatehouseProcess(store, new() { ["Gatehouse:DataDirectory"] = null }, workingDirectory);

        await server.StartAsync();

        Assert.True(File.Exists(Path.Combine(workingDirectory, "data", "gatehouse.db")), "no gatehouse.db in ./data of the working directory");
        Assert.Equal(HttpStatusCode.OK, (await (await server.AdminAsync()).Http.GetAsync("/api/sites")).StatusCode);
    }

    [Fact]
    public async Task An_out_of_range_option_stops_the_executable_with_a_message_naming_it()
    {
        var store = await GatehouseStore.CreateOrSkipAsync(Provider.Sqlite);
        await using var server = new GatehouseProcess(store, new() { ["Gatehouse:Intake:MaxAttempts"] = "0" }, TempFolder.Create());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(server.StartAsync);

        Assert.Contains("Gatehouse:Intake:MaxAttempts must be between 1 and 100", error.Message);
    }
}
