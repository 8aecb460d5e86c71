namespace Gatehouse.Testing;

/// <summary>The project's shared reference data (../shared/data beside the repository), read in place.</summary>
public static class SharedData
{
    public static string Path(string relative)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = System.IO.Path.Combine(directory.FullName, "shared", "data", relative);
            if (File.Exists(candidate) || Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        Assert.Skip($"The shared reference data ({relative}) is not beside the repository: put shared/data next to it.");
        return "";
    }
}
