namespace Gatehouse.Bench.Http;

/// <summary>A started server and what wrk sends it; for a Gatehouse node also the probe that reads how much it processed.</summary>
public sealed class Scenario(Server server, string path, Dictionary<string, string> headers, string body) : IAsyncDisposable
{
    public Server Server { get; } = server;
    public string Url => Server.BaseUrl + path;
    public Dictionary<string, string> Headers { get; } = headers;
    public string Body { get; } = body;

    /// <summary>Reads processed events and backlog; null where the server processes no ingestions (baseline, peers, commands).</summary>
    public ProcessingProbe? Probe { get; init; }

    /// <summary>Found out while starting (e.g. how many Sigma rules the node loaded); added to the row's notes.</summary>
    public string? Detail { get; set; }

    /// <summary>Stopped after the server, in order (e.g. its PostgreSQL cluster).</summary>
    public List<IAsyncDisposable> Owned { get; } = [];

    public async ValueTask DisposeAsync()
    {
        Probe?.Dispose();
        await Server.DisposeAsync();
        foreach (var owned in Owned)
        {
            await owned.DisposeAsync();
        }
    }
}

/// <summary>One line of the table: a measured load (with processing figures for a Gatehouse node), or why there is none.</summary>
public sealed record Row(string Name, string Note, LoadResult? Load = null, double RssMiB = double.NaN, ProcessingFigures? Processing = null, string? Problem = null);

/// <summary>A folder the run made (a node's data directory), deleted with its scenario.</summary>
public sealed class TempFolder(string path) : IAsyncDisposable
{
    public string Path { get; } = path;

    public ValueTask DisposeAsync()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: it is in the temp directory.
        }
        return ValueTask.CompletedTask;
    }
}
