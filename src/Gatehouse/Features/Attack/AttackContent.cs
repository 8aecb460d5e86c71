using Gatehouse.Core.Attack;
using Gatehouse.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Attack;

/// <summary>
/// The MITRE ATT&amp;CK® catalogue this node uses: the bundle at Gatehouse:Attack:BundlePath, else
/// the one imported with <c>gatehouse attack import FILE</c> into the data directory. Without one,
/// TTP search still reports explicit IDs; the start-up log says so.
/// </summary>
public sealed partial class AttackContent(IOptions<GatehouseOptions> options, ILogger<AttackContent> logger) : IHostedService
{
    public const string ImportedFile = "attack/enterprise-attack.json";

    public AttackCatalog Catalog { get; private set; } = AttackCatalog.Empty;

    public static string ImportedPath(string dataDirectory) => Path.Combine(dataDirectory, ImportedFile);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var configured = options.Value.Attack.BundlePath;
        var path = !string.IsNullOrWhiteSpace(configured) ? configured : ImportedPath(options.Value.DataDirectory);
        if (!File.Exists(path))
        {
            LogNoCatalogue(logger, string.IsNullOrWhiteSpace(configured) ? "none is configured or imported" : $"'{configured}' does not exist");
            return Task.CompletedTask;
        }
        try
        {
            using var stream = File.OpenRead(path);
            Catalog = AttackCatalog.Load(stream);
            LogLoaded(logger, Catalog.Techniques.Count(t => !t.Revoked && !t.Deprecated), Catalog.Tactics.Count, path);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            LogLoadFailed(logger, path, ex);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "No MITRE ATT&CK bundle loaded ({Why}): TTP search reports explicit technique IDs only. Set Gatehouse:Attack:BundlePath or run 'gatehouse attack import FILE'.")]
    private static partial void LogNoCatalogue(ILogger logger, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded MITRE ATT&CK: {Techniques} current techniques and sub-techniques, {Tactics} tactics, from {Path}")]
    private static partial void LogLoaded(ILogger logger, int techniques, int tactics, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not load the MITRE ATT&CK bundle {Path}; TTP search reports explicit IDs only")]
    private static partial void LogLoadFailed(ILogger logger, string path, Exception exception);
}
