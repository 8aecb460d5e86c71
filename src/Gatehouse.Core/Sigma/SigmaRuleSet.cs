namespace Gatehouse.Core.Sigma;

/// <summary>
/// The Sigma rules of a folder, compiled and indexed. Rules that cannot be compiled are skipped and
/// listed with the reason. Matching an event looks up the rules whose anchors the event's values
/// contain, then tests only those (and the few rules no anchor can be told for).
/// </summary>
public sealed class SigmaRuleSet
{
    public static readonly SigmaRuleSet Empty = new([], []);

    private readonly SigmaRuleIndex _index;

    public SigmaRuleSet(IReadOnlyList<SigmaRule> rules, IReadOnlyList<SkippedSigmaRule> skipped, string minimumLevel = SigmaLevels.Informational)
    {
        Rules = rules;
        Skipped = skipped;
        MinimumLevel = SigmaLevels.Rank(minimumLevel) is not null ? minimumLevel.ToLowerInvariant() : SigmaLevels.Informational;
        _minimumRank = SigmaLevels.Rank(MinimumLevel)!.Value;
        _index = new SigmaRuleIndex(rules);
    }

    private readonly int _minimumRank;

    /// <summary>Rules below this level are loaded (explain names them) but report nothing.</summary>
    public string MinimumLevel { get; }

    public bool Reports(SigmaRule rule) => (SigmaLevels.Rank(rule.Level) ?? SigmaLevels.MediumRank) >= _minimumRank;

    public IReadOnlyList<SigmaRule> Rules { get; }
    public IReadOnlyList<SkippedSigmaRule> Skipped { get; }
    public bool IsEmpty => Rules.Count == 0;

    /// <summary>Rules the index cannot narrow down: tested against every event their log source accepts.</summary>
    public int UnindexedRules => _index.UnindexedCount;

    /// <summary>Loads every <c>.yml</c> and <c>.yaml</c> file under <paramref name="folder"/>, in path order.</summary>
    public static SigmaRuleSet Load(string folder, string minimumLevel = SigmaLevels.Informational)
    {
        var rules = new List<SigmaRule>();
        var skipped = new List<SkippedSigmaRule>();
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var files = Directory.EnumerateFiles(folder, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
        var parsed = files.AsParallel().AsOrdered().Select(file =>
        {
            var relative = Path.GetRelativePath(folder, file);
            try
            {
                return (Rule: (SigmaRule?)SigmaRuleParser.Parse(File.ReadAllText(file), relative), Skipped: (SkippedSigmaRule?)null);
            }
            catch (SigmaRuleException ex)
            {
                return (null, new SkippedSigmaRule(relative, null, ex.Message));
            }
        });
        foreach (var (rule, skip) in parsed.ToList())
        {
            if (skip is not null)
            {
                skipped.Add(skip);
            }
            else if (!ids.Add(rule!.Id))
            {
                skipped.Add(new SkippedSigmaRule(rule.Path, rule.Id, "another rule has the same id"));
            }
            else
            {
                rules.Add(rule);
            }
        }
        return new SigmaRuleSet(rules, skipped, minimumLevel);
    }

    /// <param name="declaredSource">The log source the event's integration declares, for events that do not say it themselves.</param>
    public IReadOnlyList<SigmaHit> Match(SigmaEvent evt, SigmaLogSource? declaredSource = null) => Test(evt, _index.Candidates(evt), declaredSource);

    /// <summary>Every rule tested, without the index: what <see cref="Match"/> must agree with.</summary>
    internal IReadOnlyList<SigmaHit> MatchEveryRule(SigmaEvent evt, SigmaLogSource? declaredSource = null) => Test(evt, Enumerable.Range(0, Rules.Count), declaredSource);

    public SigmaRule? Rule(string id) => Rules.FirstOrDefault(r => string.Equals(r.Id, id, StringComparison.OrdinalIgnoreCase));

    private List<SigmaHit> Test(SigmaEvent evt, IEnumerable<int> candidates, SigmaLogSource? declaredSource)
    {
        var source = SigmaLogSource.EventSource.Of(evt, declaredSource);
        var hits = new List<SigmaHit>();
        foreach (var candidate in candidates)
        {
            var rule = Rules[candidate];
            if (Reports(rule) && rule.LogSource.Accepts(source) && rule.Matches(evt))
            {
                hits.Add(new SigmaHit(rule, rule.Explain(evt)));
            }
        }
        return hits;
    }
}

/// <summary>Sigma's rule levels, lowest first.</summary>
public static class SigmaLevels
{
    public const string Informational = "informational";
    public const string Low = "low";
    public const int MediumRank = 2;

    private static readonly string[] Ordered = [Informational, Low, "medium", "high", "critical"];

    public static IReadOnlyList<string> All => Ordered;

    public static int? Rank(string? level) =>
        Array.FindIndex(Ordered, l => string.Equals(l, level?.Trim(), StringComparison.OrdinalIgnoreCase)) is var at and >= 0 ? at : null;
}
