using Gatehouse.Features.Commands;

namespace Gatehouse.Features.Console.Pages;

/// <summary>The custom command editor: a new command (<see cref="Command"/> null) or an existing one.</summary>
public sealed record CommandEditorView(CommandView? Command)
{
    public const string CommandTemplate = "function main(params, context) {\n  // params: the parameters declared below, by name; context: { site, username }\n  return { returnData: params };\n}\n";
    public const string FormatterTemplate = "function format(event, context) {\n  // event: one item of the request body; return it changed, or null to drop it\n  if (event.host) event.host = event.host.toLowerCase();\n  return event;\n}\n";

    public bool IsNew => Command is null;

    public bool IsFormatter => Command?.Features.Contains(CommandsApi.DataFormatterFeature) == true;

    public string Url => IsNew ? "/api/commands" : $"/api/commands/{Uri.EscapeDataString(Command!.Name)}";

    public string Script => Command?.Script ?? CommandTemplate;

    public string ParametersJson => ConsolePageModel.Pretty(Command?.Parameters ?? []);

    public string SampleInput => IsFormatter ? "{\n  \"host\": \"WS-01.EXAMPLE.COM\"\n}" : "{}";
}
