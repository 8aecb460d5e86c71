using System.Diagnostics;
using Gatehouse.Core.Attack;
using Gatehouse.Core.Sigma;
using Gatehouse.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Attack;

/// <summary>
/// The MITRE ATT&amp;CK® catalogue this node uses: the bundle at Gatehouse:Attack:BundlePath, else
/// the one imported with <c>gatehouse attack import FILE</c> into the data directory. Without one,
/// TTP search still reports explicit IDs; the start-up log says so. The Sigma rules come from the
/// folder at Gatehouse:Sigma:RulesPath; rules that cannot be compiled are counted and listed.
/// </summary>
public sealed partial class AttackContent(IOptions<GatehouseOptions> options, ILogger<AttackContent> logger) : IHostedService
{
    public const string ImportedFile = "attack/enterprise-attack.json";

    public AttackCatalog Catalog { get; private set; } = AttackCatalog.Empty;

    public SigmaRuleSet Sigma { get; private set; } = SigmaRuleSet.Empty;

    public static string ImportedPath(string dataDirectory) => Path.Combine(dataDirectory, ImportedFile);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        LoadCatalogue();
        LoadSigmaRules();
        ReportUnknownTechniques();
        return Task.CompletedTask;
    }

    /// <summary>Rules tagged with technique IDs the catalogue lacks need a newer ATT&amp;CK: say so once, with how many and which.</summary>
    private void ReportUnknownTechniques()
    {
        if (Catalog.IsEmpty || Sigma.IsEmpty)
        {
            return;
        }
        var unknown = Sigma.Rules.Select(r => (Rule: r, Ids: r.Techniques.Where(id => Catalog.Technique(id) is null).ToList())).Where(r => r.Ids.Count > 0).ToList();
        if (unknown.Count > 0)
        {
            var ids = unknown.SelectMany(r => r.Ids).Distinct().Order(StringComparer.Ordinal).ToList();
            LogUnknownTechniques(logger, unknown.Count, ids.Count, string.Join(", ", ids.Take(20)));
        }
        var tacticOnly = Sigma.Rules.Count(r => r.Techniques.Count == 0 && r.TacticNames.Count > 0);
        var unknownTactics = Sigma.Rules.SelectMany(r => r.TacticNames).Distinct().Where(n => Catalog.Tactics.All(t => t.ShortName != n)).Order(StringComparer.Ordinal).ToList();
        LogTacticOnly(logger, tacticOnly, unknownTactics.Count == 0 ? "none" : string.Join(", ", unknownTactics));
    }

    private void LoadCatalogue()
    {
        var configured = options.Value.Attack.BundlePath;
        var path = !string.IsNullOrWhiteSpace(configured) ? configured : ImportedPath(options.Value.DataDirectory);
        if (!File.Exists(path))
        {
            LogNoCatalogue(logger, string.IsNullOrWhiteSpace(configured) ? "none is configured or imported" : $"'{configured}' does not exist");
            return;
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
    }

    private void LoadSigmaRules()
    {
        var folder = options.Value.Sigma.RulesPath;
        if (string.IsNullOrWhiteSpace(folder) || !Directory.Exists(folder))
        {
            LogNoSigmaRules(logger, string.IsNullOrWhiteSpace(folder) ? "Gatehouse:Sigma:RulesPath is not set" : $"'{folder}' is not a folder");
            return;
        }
        var clock = Stopwatch.StartNew();
        try
        {
            Sigma = SigmaRuleSet.Load(folder, options.Value.Sigma.MinimumLevel);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogSigmaLoadFailed(logger, folder, ex);
            return;
        }
        foreach (var skipped in Sigma.Skipped)
        {
            LogSigmaRuleSkipped(logger, skipped.Path, skipped.Reason);
        }
        LogSigmaLoaded(logger, Sigma.Rules.Count, Sigma.Skipped.Count, folder, clock.ElapsedMilliseconds);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "No MITRE ATT&CK bundle loaded ({Why}): TTP search reports explicit technique IDs only. Set Gatehouse:Attack:BundlePath or run 'gatehouse attack import FILE'.")]
    private static partial void LogNoCatalogue(ILogger logger, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded MITRE ATT&CK: {Techniques} current techniques and sub-techniques, {Tactics} tactics, from {Path}")]
    private static partial void LogLoaded(ILogger logger, int techniques, int tactics, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not load the MITRE ATT&CK bundle {Path}; TTP search reports explicit IDs only")]
    private static partial void LogLoadFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Rules} Sigma rules are tagged with {Count} technique IDs the loaded MITRE ATT&CK bundle does not have ({Ids}): they need a newer ATT&CK version; their matches are reported with inCatalog false and no name.")]
    private static partial void LogUnknownTechniques(ILogger logger, int rules, int count, string ids);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Rules} Sigma rules are tagged with tactics only and report their tactic; tactic names the bundle lacks: {Unknown}")]
    private static partial void LogTacticOnly(ILogger logger, int rules, string unknown);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No Sigma rules loaded ({Why}): TTP search does not run Sigma rules.")]
    private static partial void LogNoSigmaRules(ILogger logger, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sigma rule skipped: {Path}: {Reason}")]
    private static partial void LogSigmaRuleSkipped(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded Sigma rules: {Rules} compiled, {Skipped} skipped, from {Folder} in {Milliseconds} ms")]
    private static partial void LogSigmaLoaded(ILogger logger, int rules, int skipped, string folder, long milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not read the Sigma rules folder {Folder}; TTP search does not run Sigma rules")]
    private static partial void LogSigmaLoadFailed(ILogger logger, string folder, Exception exception);
}
