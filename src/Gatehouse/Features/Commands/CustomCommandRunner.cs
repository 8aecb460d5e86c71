using System.Text.Json.Nodes;
using Gatehouse.Core.Scripting;
using Gatehouse.Infrastructure.Sandbox;

namespace Gatehouse.Features.Commands;

/// <summary>Runs a custom command's <c>main(params, context)</c> in a sandbox process.</summary>
public static class CustomCommandRunner
{
    public static async Task<CommandResponse> RunAsync(SandboxPool sandbox, SandboxScript script, SandboxLimits limits, CommandContext context, JsonObject parameters, CancellationToken cancellationToken)
    {
        var scriptContext = new JsonObject { ["site"] = context.Site.Name, ["username"] = context.User.Username };
        var result = await sandbox.CallAsync(SandboxLane.Commands, script, "main", [parameters, scriptContext], limits, cancellationToken);
        // main may return {returnData, rawData, contextData}; anything else is its returnData.
        if (result is JsonObject shaped && (shaped.ContainsKey("returnData") || shaped.ContainsKey("rawData") || shaped.ContainsKey("contextData")))
        {
            return new CommandResponse("", shaped["returnData"]?.DeepClone(), shaped["rawData"]?.DeepClone(), shaped["contextData"]?.DeepClone());
        }
        return new CommandResponse("", result, null, null);
    }
}
