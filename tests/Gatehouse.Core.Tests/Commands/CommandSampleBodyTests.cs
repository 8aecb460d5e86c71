using System.Text.Json;
using Gatehouse.Core.Commands;

namespace Gatehouse.Core.Tests.Commands;

public class CommandSampleBodyTests
{
    private static readonly List<CommandParameter> Declared =
    [
        new("Start Time", ParameterType.DateTime, Required: true),
        new("Page Size", ParameterType.Integer, Default: 100),
        new("Ratio", ParameterType.Number, Required: true),
        new("Verbose", ParameterType.Boolean),
        new("Mode", ParameterType.Text, Required: true, AllowedValues: ["Fast", "Full"]),
        new("Query", ParameterType.Text, Required: true),
        new("Ids", ParameterType.List),
        new("Extra", ParameterType.Object),
        new("PollFromSentinel", ParameterType.Boolean, Hidden: true),
    ];

    [Fact]
    public void Sample_body_has_the_envelope_and_a_value_for_every_visible_parameter()
    {
        var body = CommandSampleBody.Build(Declared, "alice", "Security Operations", 1_790_000_000);

        Assert.Equal("alice", body["Username"]!.GetValue<string>());
        Assert.Equal("Security Operations", body["Site"]!.GetValue<string>());
        Assert.Equal(1_790_000_000, body["Timestamp"]!.GetValue<long>());
        var values = body["CommandParams"]!.AsObject();
        Assert.Equal(["Start Time", "Page Size", "Ratio", "Verbose", "Mode", "Query", "Ids", "Extra"], values.Select(v => v.Key));
        Assert.Equal(100, values["Page Size"]!.GetValue<int>());
        Assert.Equal("Fast", values["Mode"]!.GetValue<string>());
    }

    [Fact]
    public void Sample_parameters_pass_the_commands_own_validation()
    {
        var body = CommandSampleBody.Build(Declared, "alice", null, 1);

        var (values, errors) = new CommandParameters(Declared).Validate(JsonDocument.Parse(body["CommandParams"]!.ToJsonString()).RootElement);

        Assert.Empty(errors);
        Assert.NotNull(values);
        Assert.False(body.ContainsKey("Site"));
    }
}
