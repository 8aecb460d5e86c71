using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Playbooks;
using Gatehouse.Features.Commands;
using Gatehouse.Features.Intake;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;
using Gatehouse.Features.Webhooks;

namespace Gatehouse.Features.Playbooks;

/// <summary>A playbook's current version, ready to start runs from.</summary>
public sealed record PlaybookEntry(int PlaybookId, int VersionId, int Version, string Name, PlaybookKind Kind, PlaybookDefinition Definition);

/// <summary>A command a playbook task names, found: a utility command, or an integration's command (<c>Integration/Command</c>).</summary>
public sealed record TaskCommand(CatalogCommand Command, IntegrationEntry? Integration);

/// <summary>
/// Playbook definitions: parsed and checked against the command catalogue when saved, found by
/// name for triggers, and read back by version (versions never change, so they are cached).
/// </summary>
public sealed class PlaybookLibrary(CommandCatalog catalog, WebhookDirectory directory)
{
    private readonly ConcurrentDictionary<int, PlaybookDefinition> _versions = new();

    public async Task<PlaybookDefinition?> ParseAsync(GatehouseDb db, JsonNode? body, List<string> errors, CancellationToken cancellationToken)
    {
        // Commands are looked up only for a task list the parser can accept: too many tasks is refused without a query each.
        var tasks = (body as JsonObject)?["tasks"] as JsonArray is { Count: <= PlaybookParser.MaxTasks } list ? list : [];
        var names = tasks
            .Select(t => (t as JsonObject)?["command"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>().Trim() : null)
            .Where(n => !string.IsNullOrEmpty(n)).Distinct(StringComparer.OrdinalIgnoreCase);
        var found = new Dictionary<string, TaskCommand?>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in names)
        {
            found[name!] = await ResolveAsync(db, name!, cancellationToken);
        }
        return PlaybookParser.Parse(body, new CatalogChecks(found), errors);
    }

    public async Task<TaskCommand?> ResolveAsync(GatehouseDb db, string name, CancellationToken cancellationToken)
    {
        var slash = name.IndexOf('/');
        if (slash < 0)
        {
            return await catalog.FindAsync(db, name, cancellationToken) is { } utility ? new TaskCommand(utility, null) : null;
        }
        var integration = await directory.IntegrationAsync(db, name[..slash], cancellationToken);
        var command = integration is null ? null : await catalog.FindIntegrationCommandAsync(db, integration.Id, name[(slash + 1)..], cancellationToken);
        return command is null ? null : new TaskCommand(command, integration);
    }

    /// <summary>The current version of the playbook with that name, unless it is deleted.</summary>
    public async Task<PlaybookEntry?> FindAsync(GatehouseDb db, string name, CancellationToken cancellationToken)
    {
        var normalized = Normalize.Name(name);
        var playbook = await db.Playbooks.AsNoTracking().Where(p => p.NormalizedName == normalized && !p.Deleted)
            .Select(p => new { p.Id, p.Name, p.Kind, p.CurrentVersion }).FirstOrDefaultAsync(cancellationToken);
        if (playbook is null)
        {
            return null;
        }
        var version = await db.PlaybookVersions.AsNoTracking().Where(v => v.PlaybookId == playbook.Id && v.Version == playbook.CurrentVersion)
            .Select(v => new { v.Id, v.DefinitionJson }).FirstAsync(cancellationToken);
        return new PlaybookEntry(playbook.Id, version.Id, playbook.CurrentVersion, playbook.Name, playbook.Kind, Definition(version.Id, version.DefinitionJson));
    }

    /// <summary>The playbooks (not deleted) whose current version has a task that runs <paramref name="command"/>.</summary>
    public async Task<List<string>> UsingCommandAsync(GatehouseDb db, string command, CancellationToken cancellationToken)
    {
        var current = await db.Playbooks.AsNoTracking().Where(p => !p.Deleted)
            .Join(db.PlaybookVersions.AsNoTracking(), p => new { Id = p.Id, Version = p.CurrentVersion }, v => new { Id = v.PlaybookId, v.Version }, (p, v) => new { p.Name, VersionId = v.Id })
            .ToListAsync(cancellationToken);
        var users = new List<string>();
        foreach (var playbook in current)
        {
            var definition = await DefinitionAsync(db, playbook.VersionId, cancellationToken);
            if (definition.Tasks.Any(t => string.Equals(t.Command, command, StringComparison.OrdinalIgnoreCase)))
            {
                users.Add(playbook.Name);
            }
        }
        return users;
    }

    public async Task<PlaybookDefinition> DefinitionAsync(GatehouseDb db, int versionId, CancellationToken cancellationToken)
    {
        if (_versions.TryGetValue(versionId, out var cached))
        {
            return cached;
        }
        var json = await db.PlaybookVersions.AsNoTracking().Where(v => v.Id == versionId).Select(v => v.DefinitionJson).FirstAsync(cancellationToken);
        return Definition(versionId, json);
    }

    /// <summary>A stored version was checked when saved; its commands are looked up again when its tasks run.</summary>
    private PlaybookDefinition Definition(int versionId, string json) =>
        _versions.GetOrAdd(versionId, _ =>
        {
            var errors = new List<string>();
            return PlaybookParser.Parse(JsonNode.Parse(json), AnyCommand.Instance, errors, storedEarlier: true)
                ?? throw new InvalidDataException($"Stored playbook version {versionId} does not parse: {string.Join("; ", errors)}");
        });

    private sealed class CatalogChecks(Dictionary<string, TaskCommand?> found) : IPlaybookCommands
    {
        public IReadOnlyList<string>? Check(string command, JsonObject parameters, IReadOnlySet<string> templated)
        {
            if (found.GetValueOrDefault(command.Trim()) is not { } resolved)
            {
                return null;
            }
            using var document = JsonDocument.Parse(parameters.ToJsonString(), GatehouseJson.Document);
            var (_, errors) = resolved.Command.Definition.Compiled.Validate(document.RootElement);
            // A templated parameter is only known when the task runs: its absence here is not a problem.
            var unknown = templated.Where(name => !resolved.Command.Definition.Parameters.Any(p => p.Name == name))
                .Select(name => $"'{name}' is not a parameter of this command.");
            return errors.Where(e => !templated.Any(name => e.Contains($"'{name}'", StringComparison.Ordinal))).Concat(unknown).ToList();
        }
    }

    private sealed class AnyCommand : IPlaybookCommands
    {
        public static readonly AnyCommand Instance = new();

        public IReadOnlyList<string>? Check(string command, JsonObject parameters, IReadOnlySet<string> templated) => [];
    }
}
