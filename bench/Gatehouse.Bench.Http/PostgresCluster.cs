using System.Diagnostics;
using Npgsql;

namespace Gatehouse.Bench.Http;

/// <summary>
/// A throwaway PostgreSQL cluster from Debian's binaries (initdb + pg_ctl in a temp folder, on a free
/// loopback port), as tests/Gatehouse.Tests does it; as root it runs as the 'postgres' user. Unlike the
/// tests' cluster it keeps PostgreSQL's durable defaults (fsync, synchronous_commit), to compare with
/// SQLite at synchronous=FULL.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _folder;
    private readonly bool _asPostgres;

    private PostgresCluster(string bin, string folder, int port, bool asPostgres)
    {
        _bin = bin;
        _folder = folder;
        Port = port;
        _asPostgres = asPostgres;
    }

    public int Port { get; }

    public string Version => Path.GetFileName(Path.GetDirectoryName(_bin)!);

    private string Data => Path.Combine(_folder, "data");

    public string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=30";

    /// <summary>Why a cluster cannot be started here, or null when it can.</summary>
    public static string? UnavailableReason()
    {
        if (FindBinaries() is null)
        {
            return "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (Debian package 'postgresql')";
        }
        return Environment.UserName == "root" && !File.Exists("/usr/sbin/runuser") && !File.Exists("/sbin/runuser")
            ? "running as root without 'runuser' to start PostgreSQL as the postgres user"
            : null;
    }

    public static async Task<PostgresCluster> StartAsync()
    {
        var bin = FindBinaries() ?? throw new SkipException(UnavailableReason()!);
        var asPostgres = Environment.UserName == "root";
        var folder = Path.Combine(Path.GetTempPath(), "gatehouse-bench-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        if (asPostgres)
        {
            await RunAsync("chown", ["postgres:postgres", folder], asPostgres: false);
        }
        var cluster = new PostgresCluster(bin, folder, Server.FreePort(), asPostgres);
        try
        {
            await cluster.ToolAsync("initdb", ["-D", cluster.Data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-instructions"]);
            await cluster.ToolAsync("pg_ctl", ["-D", cluster.Data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "-o",
                $"-p {cluster.Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder} -c max_connections=300", "start"]);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>A new, empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(Data, "postmaster.pid")))
            {
                await ToolAsync("pg_ctl", ["-D", Data, "-m", "immediate", "-w", "stop"]);
            }
            Directory.Delete(_folder, recursive: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            Console.WriteLine($"   could not remove the PostgreSQL cluster in {_folder}: {ex.Message}");
        }
    }

    private Task ToolAsync(string tool, string[] arguments) => RunAsync(Path.Combine(_bin, tool), arguments, _asPostgres);

    private static async Task RunAsync(string program, string[] arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in (asPostgres ? ["-u", "postgres", "--", program] : Array.Empty<string>()).Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({process.ExitCode}): {await output}{await error}");
        }
    }

    private static string? FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        return !Directory.Exists(root)
            ? null
            : Directory.GetDirectories(root)
                .Select(d => (Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0, Bin: Path.Combine(d, "bin")))
                .Where(d => File.Exists(Path.Combine(d.Bin, "initdb")) && File.Exists(Path.Combine(d.Bin, "pg_ctl")))
                .OrderByDescending(d => d.Version)
                .Select(d => d.Bin)
                .FirstOrDefault();
    }
}

/// <summary>A row's prerequisite is missing: the row is reported as skipped, the run goes on.</summary>
public sealed class SkipException(string reason) : Exception(reason);
