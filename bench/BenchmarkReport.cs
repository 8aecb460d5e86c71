namespace Gatehouse.Bench;

/// <summary>Writes one benchmark's section of docs/benchmarks.md, between its own markers, leaving the others as they are.</summary>
public static class BenchmarkReport
{
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Gatehouse.slnx")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Run the benchmark from inside the Gatehouse repository.");
    }

    public static void Write(string section, string markdown)
    {
        var file = Path.Combine(RepositoryRoot(), "docs", "benchmarks.md");
        var begin = $"<!-- {section}:begin -->";
        var end = $"<!-- {section}:end -->";
        var text = File.Exists(file) ? File.ReadAllText(file) : "# Benchmarks\n\nRun by hand on the project's build machine; each section is rewritten by the command it shows.\n";
        var block = $"{begin}\n{markdown.TrimEnd()}\n{end}";
        var start = text.IndexOf(begin, StringComparison.Ordinal);
        var stop = text.IndexOf(end, StringComparison.Ordinal);
        text = start >= 0 && stop > start
            ? text[..start] + block + text[(stop + end.Length)..]
            : text.TrimEnd() + "\n\n" + block + "\n";
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
    }
}
