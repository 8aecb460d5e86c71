namespace Gatehouse.Core.Sigma;

/// <summary>
/// Finds the rules worth testing against an event. Each rule is filed under the anchors its
/// condition needs (see <see cref="SigmaAnchor"/>): a whole value under (field, value), a piece of
/// one under (field, three-character gram), choosing the gram fewest rules share. An event's values
/// are then looked up whole and gram by gram, which costs a few hash lookups per character.
/// </summary>
internal sealed class SigmaRuleIndex
{
    private readonly Dictionary<string, int> _fieldIds = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Dictionary<string, List<int>>> _exact = [];
    private readonly Dictionary<ulong, List<int>> _grams = [];
    private readonly List<int> _unindexed = [];
    private readonly List<(string Name, int Id)> _dottedFields = [];
    private readonly int _ruleCount;

    [ThreadStatic]
    private static int[]? _seen;

    [ThreadStatic]
    private static int _generation;

    public SigmaRuleIndex(IReadOnlyList<SigmaRule> rules)
    {
        _ruleCount = rules.Count;
        var anchors = rules.Select(r => r.Condition.Anchors()).ToList();
        var gramUse = CountGrams(anchors);
        for (var rule = 0; rule < rules.Count; rule++)
        {
            if (anchors[rule] is not { Count: > 0 } needed)
            {
                _unindexed.Add(rule);
                continue;
            }
            foreach (var anchor in needed)
            {
                var field = FieldId(anchor.Field);
                if (anchor.Exact)
                {
                    File(_exact[field], anchor.Literal, rule);
                    continue;
                }
                var gram = Grams(field, anchor.Literal).MinBy(g => gramUse[g]);
                File(_grams, gram, rule);
            }
        }
        _dottedFields.AddRange(_fieldIds.Where(f => f.Key.Contains('.')).Select(f => (f.Key, f.Value)));
    }

    public int UnindexedCount => _unindexed.Count;



    /// <summary>Indexes of the rules the event may match, in rule order.</summary>
    public List<int> Candidates(SigmaEvent evt)
    {
        var seen = _seen is { } buffer && buffer.Length >= _ruleCount ? buffer : _seen = new int[Math.Max(_ruleCount, 16)];
        var generation = ++_generation;
        if (generation == int.MaxValue)
        {
            Array.Clear(seen);
            generation = _generation = 1;
        }
        var found = new List<int>(_unindexed);
        foreach (var (name, values) in evt.Fields)
        {
            if (_fieldIds.TryGetValue(name, out var field))
            {
                Look(field, values, seen, generation, found);
            }
        }
        foreach (var (name, field) in _dottedFields)
        {
            if (!evt.Fields.ContainsKey(name) && evt.Values(name) is { } values)
            {
                Look(field, values, seen, generation, found);
            }
        }
        found.Sort();
        return found;
    }

    private void Look(int field, IReadOnlyList<string?> values, int[] seen, int generation, List<int> found)
    {
        var exact = _exact[field];
        foreach (var value in values)
        {
            if (value is null)
            {
                continue;
            }
            if (exact.Count > 0 && exact.TryGetValue(value, out var byValue))
            {
                Collect(byValue, seen, generation, found);
            }
            for (var i = 0; i + SigmaAnchor.GramLength <= value.Length; i++)
            {
                if (_grams.TryGetValue(Key(field, value[i], value[i + 1], value[i + 2]), out var byGram))
                {
                    Collect(byGram, seen, generation, found);
                }
            }
        }
    }

    private static void Collect(List<int> rules, int[] seen, int generation, List<int> found)
    {
        foreach (var rule in rules)
        {
            if (seen[rule] != generation)
            {
                seen[rule] = generation;
                found.Add(rule);
            }
        }
    }

    private Dictionary<ulong, int> CountGrams(List<IReadOnlyList<SigmaAnchor>?> anchors)
    {
        var use = new Dictionary<ulong, int>();
        foreach (var anchor in anchors.SelectMany(a => a ?? []).Where(a => !a.Exact))
        {
            foreach (var gram in Grams(FieldId(anchor.Field), anchor.Literal).Distinct())
            {
                use[gram] = use.GetValueOrDefault(gram) + 1;
            }
        }
        return use;
    }

    private int FieldId(string field)
    {
        if (!_fieldIds.TryGetValue(field, out var id))
        {
            _fieldIds[field] = id = _fieldIds.Count;
            _exact.Add(new Dictionary<string, List<int>>(StringComparer.OrdinalIgnoreCase));
        }
        return id;
    }

    private static IEnumerable<ulong> Grams(int field, string literal)
    {
        for (var i = 0; i + SigmaAnchor.GramLength <= literal.Length; i++)
        {
            yield return Key(field, literal[i], literal[i + 1], literal[i + 2]);
        }
    }

    private static ulong Key(int field, char a, char b, char c) =>
        (ulong)field << 48 | (ulong)char.ToLowerInvariant(a) << 32 | (ulong)char.ToLowerInvariant(b) << 16 | char.ToLowerInvariant(c);

    private static void File<TKey>(Dictionary<TKey, List<int>> index, TKey key, int rule) where TKey : notnull
    {
        if (!index.TryGetValue(key, out var rules))
        {
            index[key] = rules = [];
        }
        if (rules.Count == 0 || rules[^1] != rule)
        {
            rules.Add(rule);
        }
    }
}
