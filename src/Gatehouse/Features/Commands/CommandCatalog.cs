using System.Text.Json;
using Gatehouse.Cluster;
using Gatehouse.Core.Commands;
using Gatehouse.Core.Scripting;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Commands;

/// <summary>A command as the executor needs it: its declaration and, for a custom command, its script (run in a sandbox process).</summary>
public sealed record CatalogCommand(CommandDefinition Definition, SandboxScript? Script, bool IsDataFormatter, IntegrationCommand? Integration = null);

/// <summary>
/// Built-in and custom utility commands by name, cached on this node until the command changes on any node.
/// </summary>
public sealed class CommandCatalog(ChangeFeed feed)
{
    private readonly TopicCache<string, CatalogCommand?> _custom = new(feed, ChangeTopics.Commands);
    private readonly TopicCache<string, CatalogCommand?> _integration = new(feed, ChangeTopics.Integrations);

    /// <summary>An integration's command, its declaration compiled once per change of the integration.</summary>
    public ValueTask<CatalogCommand?> FindIntegrationCommandAsync(GatehouseDb db, int integrationId, string name, CancellationToken cancellationToken) =>
        _integration.GetAsync($"{integrationId}/{Normalize.Name(name)}", async _ =>
        {
            var integration = await db.Integrations.AsNoTracking().FirstOrDefaultAsync(i => i.Id == integrationId, cancellationToken);
            var command = integration is null ? null
                : Features.Integrations.IntakeJson.Commands(integration).FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
            return command is null ? null : new CatalogCommand(command.Definition, null, false, command);
        });

    public async ValueTask<CatalogCommand?> FindAsync(GatehouseDb db, string name, CancellationToken cancellationToken)
    {
        if (BuiltInCommands.Definition(name) is { } builtIn)
        {
            return new CatalogCommand(builtIn, null, false);
        }
        return await _custom.GetAsync(Normalize.Name(name), async normalized =>
        {
            var command = await db.CustomCommands.AsNoTracking().FirstOrDefaultAsync(c => c.NormalizedName == normalized, cancellationToken);
            return command is null ? null : new CatalogCommand(
                new CommandDefinition(command.Name, command.Description ?? "", ParametersOf(command), command.TimeoutSeconds),
                new SandboxScript(command.Script),
                command.IsDataFormatter);
        });
    }

    /// <summary>The sandbox limits of a custom command: its own timeout, the default limits otherwise.</summary>
    public static SandboxLimits LimitsFor(CustomCommand command) => SandboxLimits.Default with { Timeout = TimeSpan.FromSeconds(command.TimeoutSeconds) };

    public static IReadOnlyList<CommandParameter> ParametersOf(CustomCommand command) =>
        JsonSerializer.Deserialize<List<CommandParameter>>(command.ParametersJson, GatehouseJson.Options) ?? [];
}
