using System.Text.Json;
using Gatehouse.Core.Commands;
using Gatehouse.Features.Commands;
using Gatehouse.Features.Integrations;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

/// <summary>A command a task may run, as the builder offers it: its name as a task names it, and its parameters.</summary>
public sealed record TaskCommandChoice(string Name, string? Description, IReadOnlyList<CommandParameter> Parameters);

/// <summary>
/// The playbook builder over a definition: the task graph drawn from the JSON in <paramref name="SourceId"/> (a text area,
/// or for readers a &lt;pre&gt;), and for administrators a form per task kept in step with that JSON.
/// </summary>
/// <param name="Saved">A saved playbook's: its name and kind are shown but not edited (saving refuses to change them).</param>
/// <param name="Statuses">For a run: each task's status by id, which colours its box.</param>
public sealed record PlaybookBuilderView(string SourceId, bool Editable, IReadOnlyList<TaskCommandChoice> Commands, bool Saved = false, IReadOnlyDictionary<string, string>? Statuses = null)
{
    public string CommandsJson => JsonSerializer.Serialize(Commands, GatehouseJson.Options);

    public string? StatusesJson => Statuses is null ? null : JsonSerializer.Serialize(Statuses, GatehouseJson.Options);

    /// <summary>Every command a task may name: utility commands (built-in and custom, formatters aside) and each integration's as <c>Integration/Command</c>.</summary>
    public static async Task<IReadOnlyList<TaskCommandChoice>> ChoicesAsync(GatehouseDb db, CancellationToken cancellationToken)
    {
        var utility = (await CommandsApi.List(db, cancellationToken)).Value ?? [];
        var integrations = (await IntegrationsApi.List(db, cancellationToken)).Value ?? [];
        return utility.Where(c => !c.Features.Contains(CommandsApi.DataFormatterFeature, StringComparer.OrdinalIgnoreCase))
            .Select(c => new TaskCommandChoice(c.Name, c.Description, c.Parameters))
            .Concat(integrations.SelectMany(i => i.Commands.Select(c => new TaskCommandChoice($"{i.Name}/{c.Name}", c.Description, c.Parameters ?? []))))
            .OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }
}
