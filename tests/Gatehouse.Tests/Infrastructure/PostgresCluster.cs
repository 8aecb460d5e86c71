using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Gatehouse.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster from Debian's binaries (initdb + pg_ctl in a temp folder, on a
/// free loopback port), shared by the whole test run and stopped when it ends. initdb refuses to
/// run as root, so as root the cluster runs as the 'postgres' system user.
/// </summary>
public sealed class PostgresCluster
{
    private static readonly Lazy<Task<PostgresCluster?>> Shared = new(StartAsync);
    private readonly string _bin;
    private readonly string _folder;

    private PostgresCluster(string bin, string folder, int port)
    {
        _bin = bin;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public static string? UnavailableReason { get; private set; }

    public static Task<PostgresCluster?> SharedAsync() => Shared.Value;

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Maximum Pool Size=30;Connection Idle Lifetime=10;Connection Pruning Interval=5;Timeout=30";

    /// <summary>A new, empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "gh_" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    private static async Task<PostgresCluster?> StartAsync()
    {
        var bin = FindBinaries();
        if (bin is null)
        {
            UnavailableReason = "PostgreSQL server binaries were not found under /usr/lib/postgresql/*/bin (Debian package 'postgresql').";
            return null;
        }
        var asRoot = Environment.UserName == "root";
        if (asRoot && !File.Exists("/usr/sbin/runuser") && !File.Exists("/sbin/runuser"))
        {
            UnavailableReason = "Running as root, but 'runuser' is missing to start PostgreSQL as the postgres user.";
            return null;
        }
        var folder = Path.Combine(Path.GetTempPath(), "gatehouse-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        if (asRoot)
        {
            await RunAsync("chown", ["postgres:postgres", folder], asPostgres: false);
        }
        var port = FreePort();
        var cluster = new PostgresCluster(bin, folder, port);
        var data = Path.Combine(folder, "data");
        await cluster.RunToolAsync("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"]);
        await cluster.RunToolAsync("pg_ctl", ["-D", data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "-o",
            $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=500", "start"]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Stop(data);
        return cluster;
    }

    private void Stop(string data)
    {
        try
        {
            RunToolAsync("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).GetAwaiter().GetResult();
            Directory.Delete(_folder, recursive: true);
        }
        catch (Exception)
        {
            // Best effort at exit; the folder is in the temp directory.
        }
    }

    private Task RunToolAsync(string tool, string[] arguments) =>
        RunAsync(Path.Combine(_bin, tool), arguments, asPostgres: Environment.UserName == "root");

    private static async Task RunAsync(string program, string[] arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asPostgres)
        {
            foreach (var part in (string[])["-u", "postgres", "--", program])
            {
                start.ArgumentList.Add(part);
            }
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {await output}{await error}");
        }
    }

    private static string? FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }
        return Directory.GetDirectories(root)
            .Select(d => (Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0, Bin: Path.Combine(d, "bin")))
            .Where(d => File.Exists(Path.Combine(d.Bin, "initdb")) && File.Exists(Path.Combine(d.Bin, "pg_ctl")))
            .OrderByDescending(d => d.Version)
            .Select(d => d.Bin)
            .FirstOrDefault();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
