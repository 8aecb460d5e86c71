using System.Text.Json.Nodes;
using Gatehouse.Core.Rules;

namespace Gatehouse.Core.Tests.Rules;

public class ConditionTests
{
    private static readonly RuleSubject Subject = new(
        JsonNode.Parse("""{"alert":{"name":"Impossible Travel","score":87.5,"tags":["cloud","identity"]},"src":"10.1.2.3"}"""),
        new Dictionary<string, string> { ["Source IP"] = "10.1.2.3", ["Severity"] = "High", ["Hostname"] = "WS-01.corp" },
        new JsonObject { ["Tenant"] = "acme" });

    private static bool Matches(string condition)
    {
        var errors = new List<string>();
        var compiled = Condition.Compile(JsonNode.Parse(condition), "condition", errors);
        Assert.True(errors.Count == 0, string.Join(" ", errors));
        return compiled!.Matches(Subject);
    }

    [Theory]
    [InlineData("""{"field":"Severity","operator":"equals","value":"high"}""", true)]
    [InlineData("""{"field":"Severity","operator":"equals","value":"high","caseSensitive":true}""", false)]
    [InlineData("""{"field":"Severity","operator":"notEquals","value":"Low"}""", true)]
    [InlineData("""{"field":"$.alert.name","operator":"contains","value":"travel"}""", true)]
    [InlineData("""{"field":"$.alert.name","operator":"notContains","value":"travel"}""", false)]
    [InlineData("""{"field":"hostname","operator":"startsWith","value":"ws-"}""", true)]
    [InlineData("""{"field":"Hostname","operator":"endsWith","value":".corp"}""", true)]
    [InlineData("""{"field":"$.alert.name","operator":"regex","value":"^impossible\\s+\\w+$"}""", true)]
    [InlineData("""{"field":"$.alert.tags[*]","operator":"in","value":["identity","email"]}""", true)]
    [InlineData("""{"field":"Tenant","operator":"notIn","value":["acme"]}""", false)]
    [InlineData("""{"field":"$.alert.score","operator":"gt","value":80}""", true)]
    [InlineData("""{"field":"$.alert.score","operator":"gte","value":87.5}""", true)]
    [InlineData("""{"field":"$.alert.score","operator":"lt","value":"87.5"}""", false)]
    [InlineData("""{"field":"$.alert.score","operator":"lte","value":100}""", true)]
    [InlineData("""{"field":"$.alert.name","operator":"exists"}""", true)]
    [InlineData("""{"field":"$.alert.missing","operator":"notExists"}""", true)]
    [InlineData("""{"field":"Source IP","operator":"cidr","value":"10.0.0.0/8"}""", true)]
    [InlineData("""{"field":"Source IP","operator":"cidr","value":"192.168.0.0/16"}""", false)]
    public void Each_operator_tests_the_named_field(string condition, bool expected) => Assert.Equal(expected, Matches(condition));

    [Fact]
    public void All_any_and_not_combine_conditions()
    {
        Assert.True(Matches("""{"all":[{"field":"Severity","operator":"equals","value":"High"},{"any":[{"field":"Tenant","operator":"equals","value":"x"},{"not":{"field":"Tenant","operator":"equals","value":"y"}}]}]}"""));
        Assert.False(Matches("""{"all":[{"field":"Severity","operator":"equals","value":"High"},{"field":"Tenant","operator":"equals","value":"x"}]}"""));
    }

    [Fact]
    public void Every_problem_of_a_condition_is_listed()
    {
        var errors = new List<string>();

        var compiled = Condition.Compile(JsonNode.Parse("""
            {"all":[{"field":"Severity","operator":"looksLike","value":"x"},{"field":"$.a","operator":"regex","value":"(unclosed"},
                    {"field":"Source IP","operator":"cidr","value":"10.0.0.0/99"},{"operator":"equals","value":"x"},{"field":"x","operator":"in","value":"notalist"},
                    {"field":"x","operator":"gt","value":"many"},{"any":[]}]}
            """), "condition", errors);

        Assert.Null(compiled);
        Assert.Equal(7, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("condition.all[0].operator"));
        Assert.Contains(errors, e => e.StartsWith("condition.all[1].value: not a valid regular expression"));
        Assert.Contains(errors, e => e.StartsWith("condition.all[2].value"));
    }

    [Fact]
    public void The_first_matching_rule_decides_and_escalations_fill_their_templates()
    {
        var errors = new List<string>();
        var quiet = CompiledRule.Compile(1, "quiet", RuleType.Dismissal, JsonNode.Parse("""{"field":"Severity","operator":"equals","value":"Low"}"""), new("FP", "low"), null, errors)!;
        var escalate = CompiledRule.Compile(2, "escalate", RuleType.Escalation, JsonNode.Parse("""{"field":"Severity","operator":"equals","value":"High"}"""), null,
            new EscalationAction("Account Compromise", "{{$.alert.name}} from {{Source IP}}", "Tags: {{['alert']['tags'][*]}}", null, "soc-lead", "Contain"), errors)!;
        var later = CompiledRule.Compile(3, "later", RuleType.Dismissal, JsonNode.Parse("""{"field":"Severity","operator":"exists"}"""), null, null, errors)!;
        Assert.Empty(errors);

        var (rule, decision) = CompiledRule.FirstMatch([quiet, escalate, later], Subject)!.Value;

        Assert.Equal("escalate", rule.Name);
        Assert.Equal("Impossible Travel from 10.1.2.3", decision.Incident!.Title);
        Assert.Equal("Tags: cloud, identity", decision.Incident.Description);
        Assert.Equal("High", decision.Incident.Severity);
        Assert.Equal("Contain", decision.Incident.Playbook);
    }
}
