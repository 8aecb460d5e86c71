using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Commands;

namespace Gatehouse.Core.Tests.Commands;

public class CommandParametersTests
{
    private static readonly CommandParameters Declared = new(
    [
        new("Start Time", ParameterType.DateTime, Required: true),
        new("Page Size", ParameterType.Integer, Default: 100),
        new("Ratio", ParameterType.Number),
        new("Verbose", ParameterType.Boolean),
        new("Mode", ParameterType.Text, AllowedValues: ["Fast", "Full"]),
        new("Ids", ParameterType.List),
        new("Extra", ParameterType.Object),
        new("PollFromSentinel", ParameterType.Boolean, Hidden: true),
    ]);

    private static (JsonObject? Values, IReadOnlyList<string> Errors) Validate(string json) =>
        Declared.Validate(JsonDocument.Parse(json).RootElement);

    [Theory]
    [InlineData("""{"Start Time":"2026-11-29 08:00:00"}""")]
    [InlineData("""{"Start Time":"2026-11-29T08:00:00Z","Ratio":0.5,"Verbose":true,"Mode":"Full","Ids":[1,"2"],"Extra":{},"PollFromSentinel":true}""")]
    public void Valid_parameters_pass_with_defaults_filled_in(string json)
    {
        var (values, errors) = Validate(json);

        Assert.Empty(errors);
        Assert.Equal(100, values!["Page Size"]!.GetValue<int>());
    }

    [Fact]
    public void Every_violation_is_named_in_one_list()
    {
        var (values, errors) = Validate("""{"Page Size":1.5,"Ratio":"x","Verbose":"yes","Mode":"Slow","Ids":{},"Extra":[],"Nope":1}""");

        Assert.Null(values);
        Assert.Equal(8, errors.Count);
        Assert.Contains("'Start Time' is required.", errors);
        Assert.Contains("'Page Size' must be a whole number.", errors);
        Assert.Contains("'Mode' must be text, one of: Fast, Full.", errors);
        Assert.Contains(errors, e => e.StartsWith("'Nope' is not a parameter of this command; known parameters: Start Time, Page Size, Ratio, Verbose, Mode, Ids, Extra."));
        Assert.DoesNotContain(errors, e => e.Contains("PollFromSentinel"));
    }

    [Theory]
    [InlineData("2026-11-29 8:00:00")]
    [InlineData("29/11/2026")]
    [InlineData("tomorrow")]
    public void Dates_must_be_the_documented_format_or_iso_8601(string date)
    {
        var (_, errors) = Validate($$"""{"Start Time":"{{date}}"}""");

        Assert.Equal(["'Start Time' must be a date and time as yyyy-MM-dd HH:mm:ss or ISO 8601."], errors);
    }

    [Fact]
    public void Missing_params_count_as_empty_and_non_objects_are_refused()
    {
        Assert.Equal(["'Start Time' is required."], Declared.Validate(default).Errors);
        Assert.Contains("must be a JSON object", Validate("[1]").Errors.Single());
    }

    [Fact]
    public void The_declaration_compiles_to_a_strict_json_schema()
    {
        Assert.False(Declared.Schema["additionalProperties"]!.GetValue<bool>());
        Assert.Equal(["Start Time"], Declared.Schema["required"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal("integer", Declared.Schema["properties"]!["Page Size"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void Every_built_in_declares_a_valid_schema()
    {
        foreach (var command in BuiltInCommands.All)
        {
            Assert.NotNull(command.Compiled.Schema);
        }
        Assert.Equal("GetIncidentsWithNewParameters", BuiltInCommands.Find("getincidentswithnewparameters"));
        Assert.Null(BuiltInCommands.Find("FormatDisk"));
    }
}

public class ArtifactExtractorTests
{
    [Fact]
    public void Indicators_are_found_once_each()
    {
        var found = ArtifactExtractor.Extract(
            "IPs 192.168.1.10, 192.168.1.10 and fe80::1:2:3; not 999.1.1.1 nor :: or 10:30:00. URL http://a.example.org/p. Mail x@y.example.net. " +
            "SHA256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855, SHA1 da39a3ee5e6b4b0d3255bfef95601890afd80709. Host WS-01.corp.example.com ran evil.ps1");

        Assert.Equal(["192.168.1.10", "fe80::1:2:3"], found.IpAddresses);
        Assert.Equal(["http://a.example.org/p"], found.Urls);
        Assert.Equal(["x@y.example.net"], found.EmailAddresses);
        Assert.Equal(2, found.Hashes.Count);
        Assert.Contains("ws-01.corp.example.com", found.Domains);
        Assert.Contains("a.example.org", found.Domains);
        Assert.DoesNotContain("evil.ps1", found.Domains);
        Assert.DoesNotContain("y.example.net", found.Domains);
    }

    [Fact]
    public void Attack_ids_are_techniques_sub_techniques_and_tactics()
    {
        Assert.Equal(["T1059.001", "TA0002", "T1566"], ArtifactExtractor.AttackIds("T1059.001 then TA0002, T1566 and T1059.001 again; not XT1234 or T12"));
    }

    [Fact]
    public void Hostile_text_finishes_quickly()
    {
        var text = new string('a', 200_000) + "@" + string.Concat(Enumerable.Repeat("a.", 50_000));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            ArtifactExtractor.Extract(text);
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            // A pattern gave up at its limit: acceptable, it did not hang.
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData("""{"Start Time":"2026-11-29 08:00:00","Page Size":"many"}""")]
    [InlineData("""{"Start Time":"2026-11-29T08:00:00Z","Page Size":"many"}""")]
    public void A_valid_date_is_not_reported_as_invalid_when_another_parameter_fails(string json)
    {
        var declared = new CommandParameters([new("Start Time", ParameterType.DateTime, Required: true), new("Page Size", ParameterType.Integer)]);
        var (_, errors) = declared.Validate(JsonDocument.Parse(json).RootElement);
        Assert.Equal(["'Page Size' must be a whole number."], errors);
    }

    [Theory]
    [InlineData("2", true)]
    [InlineData("\"2\"", true)]
    [InlineData("\"json\"", true)]
    [InlineData("3", false)]
    [InlineData("\"XML\"", false)]
    public void A_text_or_number_parameter_takes_an_allowed_value_in_either_form(string value, bool valid)
    {
        var declared = new CommandParameters([new("Output Format", ParameterType.TextOrNumber, AllowedValues: ["JSON", "json", "2"])]);
        var (values, errors) = declared.Validate(JsonDocument.Parse($$"""{"Output Format":{{value}}}""").RootElement);
        Assert.Equal(valid, values is not null);
        Assert.Equal(valid, errors.Count == 0);
    }

    [Fact]
    public void An_alias_is_read_as_its_parameter_and_the_parameters_own_name_wins()
    {
        var declared = new CommandParameters([new("Page Index", ParameterType.Integer, Default: 0, Aliases: ["PageIndex"])]);
        var (aliased, _) = declared.Validate(JsonDocument.Parse("""{"PageIndex":3}""").RootElement);
        var (both, _) = declared.Validate(JsonDocument.Parse("""{"PageIndex":3,"Page Index":5}""").RootElement);
        Assert.Equal(3, aliased!["Page Index"]!.GetValue<int>());
        Assert.False(aliased.ContainsKey("PageIndex"));
        Assert.Equal(5, both!["Page Index"]!.GetValue<int>());
    }
}
