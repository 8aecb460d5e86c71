using System.Text.Json.Nodes;
using Gatehouse.Core.Incidents;

namespace Gatehouse.Core.Tests.Incidents;

public class IncidentFilterTests
{
    private static readonly IncidentVocabulary Vocabulary = IncidentVocabulary.Default;

    private static bool Matches(string filter, IncidentRecord? incident = null)
    {
        var (parsed, errors) = IncidentFilter.Parse(JsonNode.Parse(filter), Vocabulary);
        Assert.True(parsed is not null, string.Join(" ", errors));
        return parsed.Matches(incident ?? IncidentSample.Record());
    }

    private static IReadOnlyList<string> Errors(string filter) => IncidentFilter.Parse(JsonNode.Parse(filter), Vocabulary).Errors;

    [Theory]
    [InlineData("""[{"field":"Status","operator":"!=","value":"Open"}]""", false)]
    [InlineData("""[{"field":"Status","operator":"=","value":"open"}]""", true)]
    [InlineData("""[{"field":"Severity","operator":">=","value":"High"}]""", true)]
    [InlineData("""[{"field":"Severity","operator":">","value":"High"}]""", false)]
    [InlineData("""[{"field":"Severity","operator":"<","value":"Critical"}]""", true)]
    [InlineData("""[{"field":"Title","operator":"LIKE","value":"%lookalike%"}]""", true)]
    [InlineData("""[{"field":"Title","operator":"like","value":"phishing_from%"}]""", true)]
    [InlineData("""[{"field":"Title","operator":"LIKE","value":"lookalike"}]""", false)]
    [InlineData("""[{"field":"Tags","operator":"=","value":"mail"}]""", true)]
    [InlineData("""[{"field":"Tags","operator":"!=","value":"mail"}]""", false)]
    [InlineData("""[{"field":"Disposition","operator":"IS EMPTY"}]""", true)]
    [InlineData("""[{"field":"Owner","operator":"is  not  empty"}]""", true)]
    [InlineData("""[{"field":"Date Created","operator":">=","value":"2026-01-13 09:30:00"}]""", true)]
    [InlineData("""[{"field":"Date Created","operator":"<","value":"2026-01-13T09:30:00Z"}]""", false)]
    [InlineData("""[{"section":"Customer","field":"Country","operator":"=","value":"fr"}]""", true)]
    [InlineData("""[{"section":"customer","field":"seats","operator":">","value":"100"}]""", true)]
    [InlineData("""[{"section":"Customer","field":"Region","operator":"IS EMPTY"}]""", true)]
    [InlineData("""[{"section":"Customer","field":"Region","operator":"=","value":"EU"}]""", false)]
    public void A_flat_list_is_one_AND_group_of_conditions(string filter, bool expected) =>
        Assert.Equal(expected, Matches(filter));

    [Fact]
    public void Every_condition_of_a_group_must_hold() =>
        Assert.False(Matches("""[{"field":"Status","operator":"=","value":"Open"},{"field":"Stage","operator":"=","value":"Recovery"}]"""));

    [Fact]
    public void Groups_in_a_list_of_lists_are_ORed_together() =>
        Assert.True(Matches("""[[{"field":"Stage","operator":"=","value":"Recovery"}],[{"field":"Owner","operator":"=","value":"ALICE"},{"field":"Severity","operator":"=","value":"High"}]]"""));

    [Fact]
    public void An_empty_filter_matches_everything() => Assert.True(Matches("[]"));

    [Fact]
    public void Every_problem_is_named_by_its_place()
    {
        var errors = Errors("""[[{"field":"Colour","operator":"=","value":"red"}],[{"field":"Severity","operator":"~","value":"High"},{"field":"Severity","operator":"=","value":"Urgent"},{"field":"Title","operator":"="},{"field":"Title","operator":"=","value":"x","extra":1}]]""");
        Assert.Contains(errors, e => e.StartsWith("'Filter[0][0].field' 'Colour' is not an incident field", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("'Filter[1][0].operator' must be one of", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("'Filter[1][1].value' must be one of: Critical, High", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("'Filter[1][2].value' is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("'Filter[1][3].extra' is not a member", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"field":"Status"}""")]
    [InlineData("""[1, 2]""")]
    [InlineData("""[[{"field":"Status","operator":"=","value":"Open"}], {"field":"Status","operator":"=","value":"Open"}]""")]
    [InlineData("""[[]]""")]
    [InlineData("""[{"field":"Date Created","operator":">","value":"last week"}]""")]
    [InlineData("""[{"field":"Status","operator":"=","value":{"nested":true}}]""")]
    public void Malformed_filters_are_refused_with_a_reason(string filter) => Assert.NotEmpty(Errors(filter));

    [Fact]
    public void Like_patterns_are_literal_apart_from_their_wildcards() =>
        Assert.False(Matches("""[{"field":"Title","operator":"LIKE","value":"Phishing.*"}]"""));
}

public class LikePatternTests
{
    [Theory]
    [InlineData("%lookalike%", "Phishing from a LOOKALIKE domain", true)]
    [InlineData("phishing_from%", "Phishing from a lookalike domain", true)]
    [InlineData("%", "", true)]
    [InlineData("_", "", false)]
    [InlineData("a%b%c", "axxbyyc", true)]
    [InlineData("a%b%c", "axxbyy", false)]
    [InlineData("%.*%", "anything", false)]
    public void Like_is_SQLs_with_percent_and_underscore_in_any_case(string pattern, string text, bool expected) =>
        Assert.Equal(expected, new LikePattern(pattern).IsMatch(text));

    // Regression (red team): a pattern of many % against a long text held a core for minutes.
    [Fact]
    public void A_hostile_pattern_against_a_long_text_finishes_at_once()
    {
        var pattern = new LikePattern(string.Concat(Enumerable.Repeat("%a", 249)) + "%b");
        var text = new string('a', 32_768);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 100; i++)
        {
            Assert.False(pattern.IsMatch(text));
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
    }
}
