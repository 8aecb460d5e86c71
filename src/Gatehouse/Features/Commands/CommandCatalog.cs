using System.Text.Json;
using Gatehouse.Cluster;
using Gatehouse.Core.Commands;
using Gatehouse.Core.Scripting;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Commands;

/// <summary>A command as the executor needs it: its declaration and, for a custom command, its prepared script.</summary>
public sealed record CatalogCommand(CommandDefinition Definition, PreparedScript? Script, bool IsDataFormatter)
{
    public bool IsBuiltIn => Script is null;
}

/// <summary>
/// Built-in and custom utility commands by name. A custom command's script is parsed once and
/// cached on this node until the command changes on any node.
/// </summary>
public sealed class CommandCatalog(ChangeFeed feed)
{
    private readonly TopicCache<string, CatalogCommand?> _custom = new(feed, ChangeTopics.Commands);

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
                new CommandDefinition(command.Name, command.Description ?? "", ParametersOf(command)),
                PreparedScript.Prepare(command.Script),
                command.IsDataFormatter);
        });
    }

    public static IReadOnlyList<CommandParameter> ParametersOf(CustomCommand command) =>
        JsonSerializer.Deserialize<List<CommandParameter>>(command.ParametersJson, GatehouseJson.Options) ?? [];
}
