using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Playbooks;
using Gatehouse.Features.Attack;
using Gatehouse.Features.Commands;
using Gatehouse.Features.Intake;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;
using Gatehouse.Features.Webhooks;

namespace Gatehouse.Features.Playbooks;

public sealed record TaskOutcome(bool Succeeded, CommandResponse? Response, string? Error, TimeSpan Duration);

/// <summary>
/// Runs one playbook task through the same executor as remote commands — same sandbox, same
/// outbound guard, same time limits — on the run's site, as the user who saved the playbook version.
/// Each task gets a database context of its own, since tasks of a run may run at once.
/// </summary>
public sealed class PlaybookTaskRunner(IServiceScopeFactory scopes, AttackContent attack, PlaybookTriggers triggers, Commands.ParameterChecks checks, TimeProvider time)
{
    public async Task<TaskOutcome> RunAsync(PlaybookRun run, PlaybookTask task, TaskCommand? command, JsonObject input, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        TaskOutcome Failed(string error) => new(false, null, error, clock.Elapsed);
        if (command is null)
        {
            return Failed($"There is no command '{task.Command}' (any more).");
        }
        using (var document = JsonDocument.Parse(input.ToJsonString(), GatehouseJson.Document))
        {
            var (values, errors) = command.Command.Definition.Compiled.Validate(document.RootElement);
            if (values is not null)
            {
                errors = checks.Check(command.Command.Definition, values);
            }
            if (values is null || errors.Count > 0)
            {
                return Failed($"The rendered parameters do not fit the command: {string.Join(" ", errors)}");
            }
            input = values;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatehouseDb>();
        var site = await db.Sites.AsNoTracking().Where(s => s.Id == run.SiteId).Select(s => new SiteEntry(s.Id, s.Name, s.Kind)).FirstOrDefaultAsync(cancellationToken);
        var user = await ActingUserAsync(db, run, cancellationToken);
        if (site is null || user is null)
        {
            return Failed(site is null ? "The run's site no longer exists." : "The user who saved this playbook version no longer exists or is disabled.");
        }
        var executor = scope.ServiceProvider.GetRequiredService<CommandExecutor>();
        var context = new CommandContext(db, site, user, time, attack.Catalog, attack.Sigma, triggers, scope.ServiceProvider.GetRequiredService<Incidents.IncidentLifecycle>(),
            scope.ServiceProvider.GetRequiredService<Events.EventTriage>());
        var timeout = task.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        var response = await executor.ExecuteAsync(command.Command, command.Integration, context, input, timeout, cancellationToken);
        return string.IsNullOrEmpty(response.Error) ? new TaskOutcome(true, response, null, clock.Elapsed) : new TaskOutcome(false, response, response.Error, clock.Elapsed);
    }

    private static async Task<UserEntry?> ActingUserAsync(GatehouseDb db, PlaybookRun run, CancellationToken cancellationToken)
    {
        var author = await db.PlaybookVersions.AsNoTracking().Where(v => v.Id == run.PlaybookVersionId).Select(v => v.CreatedBy).FirstOrDefaultAsync(cancellationToken);
        var normalized = Normalize.Name(author ?? "");
        return await db.Users.AsNoTracking().Where(u => u.NormalizedUsername == normalized && u.Enabled)
            .Select(u => new UserEntry(u.Id, u.Username, u.Enabled)).FirstOrDefaultAsync(cancellationToken);
    }
}
