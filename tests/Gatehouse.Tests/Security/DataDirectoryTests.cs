using Gatehouse.Tests.Infrastructure;

namespace Gatehouse.Tests.Security;

/// <summary>Finding 9: the database files were world-readable (0644).</summary>
public sealed class DataDirectoryTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task World_readable_data_files_the_data_directory_is_0700_and_its_files_0600()
    {
        var store = await GatehouseStore.CreateOrSkipAsync(Provider.Sqlite);
        // A file left by an older version with the old permissions is tightened at start.
        var leftover = Path.Combine(store.DataDirectory, "leftover.txt");
        await File.WriteAllTextAsync(leftover, "x");
        File.SetUnixFileMode(leftover, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await using var factory = new GatehouseFactory(store);
        var admin = await factory.AdminAsync();
        var integration = await admin.CreateIntegrationAsync(new { mainJsonPath = "$" });
        await admin.SendAndWaitAsync(integration, GatehouseClient.DefaultSite, new { a = 1 }, (await admin.CreateKeyAsync(integration)).Value);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(store.DataDirectory));
        var files = Directory.EnumerateFiles(store.DataDirectory, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => f.EndsWith("gatehouse.db", StringComparison.Ordinal));
        Assert.All(files, f => Assert.True(
            (File.GetUnixFileMode(f) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) == 0,
            $"{f} is {File.GetUnixFileMode(f)}"));
    }
}
