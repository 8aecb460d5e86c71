using System.Text.Json.Nodes;
using Gatehouse.Core.Sigma;

namespace Gatehouse.Core.Tests.Sigma;

/// <summary>SigmaHQ's regression events, each matched against the whole SigmaHQ rules folder.</summary>
public sealed class SigmaConformanceTests(ITestOutputHelper output)
{
    private static readonly Lazy<SigmaRuleSet> AllRules = new(() => SigmaRuleSet.Load(SharedData.Path("sigma/rules")));

    [Fact]
    public void Every_regression_event_matches_its_rule_and_carries_its_techniques()
    {
        var rules = AllRules.Value;
        var cases = SigmaRegression.Load(SharedData.Path("sigma/regression"));
        var byId = rules.Rules.ToDictionary(r => r.Id, StringComparer.OrdinalIgnoreCase);
        var failures = new List<string>();
        var absent = new List<string>();
        var matched = 0;
        foreach (var regression in cases)
        {
            if (!byId.TryGetValue(regression.RuleId, out var rule))
            {
                var skipped = rules.Skipped.FirstOrDefault(s => string.Equals(s.Id, regression.RuleId, StringComparison.OrdinalIgnoreCase));
                (skipped is null ? absent : failures).Add($"{regression.Folder}: {skipped?.Reason ?? "the rule is not in the rules folder"}");
                continue;
            }
            // Events of other products say nothing of their source: their integration declares it (rules/<product>/<service>/…).
            var parts = regression.Folder.Split('/');
            var declared = parts is ["rules", var product, var service, ..] && product != "windows" ? new SigmaLogSource(product, null, service) : null;
            var hits = regression.Events.Select(e => rules.Match(new SigmaEvent(e), declared)).ToList();
            var matching = hits.Count(h => h.Any(hit => hit.Rule == rule));
            var techniques = hits.SelectMany(h => h).SelectMany(hit => hit.Rule.Techniques).ToHashSet();
            if (matching == 0)
            {
                failures.Add($"{regression.Folder}: {rule.Title} did not match any of its {regression.Events.Count} event(s)");
            }
            else if (!rule.Techniques.All(techniques.Contains))
            {
                failures.Add($"{regression.Folder}: techniques {string.Join(",", rule.Techniques)} missing");
            }
            else
            {
                matched++;
            }
        }
        output.WriteLine($"Rules: {rules.Rules.Count} compiled, {rules.Skipped.Count} skipped, {rules.UnindexedRules} not indexed");
        output.WriteLine($"Regression cases: {cases.Count}; matched their rule: {matched}; rule not in the folder: {absent.Count}; failed: {failures.Count}");
        absent.ForEach(a => output.WriteLine("  absent  " + a));
        failures.ForEach(f => output.WriteLine("  FAILED  " + f));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(cases.Count, matched + absent.Count);
    }

    [Fact]
    public void The_index_finds_exactly_what_testing_every_rule_finds()
    {
        var rules = AllRules.Value;
        var events = SigmaRegression.Load(SharedData.Path("sigma/regression")).SelectMany(c => c.Events).ToList();
        events.Add(JsonNode.Parse("""{"CommandLine":"powershell -nop -w hidden -enc SQBFAFgA","Image":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"}""")!);
        var total = 0;
        foreach (var evt in events)
        {
            var view = new SigmaEvent(evt);
            var indexed = rules.Match(view).Select(h => h.Rule.Id).ToList();
            Assert.Equal(rules.MatchEveryRule(view).Select(h => h.Rule.Id).ToList(), indexed);
            total += indexed.Count;
        }
        output.WriteLine($"{events.Count} events, {total} rule matches");
        Assert.True(total >= events.Count / 2);
    }
}
