using System.Text.Json.Nodes;
using Gatehouse.Core.Scripting;
using Gatehouse.Features.Intake;
using Gatehouse.Storage;
using Gatehouse.Features.Webhooks;

namespace Gatehouse.Features.Commands;

/// <summary>
/// Runs one command (built-in, custom script or integration HTTP template) within its time limit,
/// turning every failure into a failed response. Remote commands and playbook tasks both run here,
/// so they share the sandbox and the outbound guard.
/// </summary>
public sealed partial class CommandExecutor(IntegrationCommandRunner integrationRunner, Infrastructure.Sandbox.SandboxPool sandbox, ILogger<CommandExecutor> logger)
{
    public async Task<CommandResponse> ExecuteAsync(
        CatalogCommand found, IntegrationEntry? integration, CommandContext context, JsonObject parameters, TimeSpan? timeoutOverride,
        CancellationToken cancellationToken)
    {
        var command = found.Definition;
        var timeout = timeoutOverride ?? TimeSpan.FromSeconds(command.TimeoutSeconds);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            if (found.Integration is { } integrationCommand)
            {
                return await integrationRunner.RunAsync(context, integration!.Id, integrationCommand, parameters, limit.Token);
            }
            return found.Script is { } script
                ? await CustomCommandRunner.RunAsync(sandbox, script, SandboxLimits.Default with { Timeout = timeout }, context, parameters, limit.Token)
                : await BuiltInRunner.RunAsync(command.Name, context, parameters, limit.Token);
        }
        catch (CommandFailedException ex)
        {
            return CommandResponse.Failed(ex.Message);
        }
        catch (ScriptFailedException ex)
        {
            return CommandResponse.Failed(ex.Message);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return CommandResponse.Failed($"The command did not finish within {timeout.TotalSeconds:0} s.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCommandError(logger, command.Name, ex);
            return CommandResponse.Failed("The command failed with an internal error; it has been logged.");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Command {Command} failed")]
    private static partial void LogCommandError(ILogger logger, string command, Exception exception);
}
