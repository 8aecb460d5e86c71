using System.Text.Json.Nodes;
using Gatehouse.Core.Intake;
using Gatehouse.Core.Scripting;
using Gatehouse.Features.Commands;
using Gatehouse.Infrastructure;
using Gatehouse.Infrastructure.Sandbox;
using Gatehouse.Storage;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Intake;

/// <summary>
/// Runs a key's data formatter on each item of a request in a sandbox process, within the
/// per-event time limit and the request's time budget. A script error or overrun fails that event
/// only; a crashed sandbox process (<see cref="ScriptCrashedException"/>) fails the whole request,
/// which is retried and then quarantined.
/// </summary>
public sealed class FormatterRunner(CommandCatalog catalog, SandboxPool sandbox, TimeProvider time, IOptions<GatehouseOptions> options)
{
    public async Task<Dictionary<string, FormatOutcome>> FormatAsync(
        GatehouseDb db, string formatterName, IngestionSelection selection, JsonObject scriptContext, CancellationToken cancellationToken)
    {
        var outcomes = new Dictionary<string, FormatOutcome>(StringComparer.Ordinal);
        var command = await catalog.FindAsync(db, formatterName, cancellationToken);
        if (command is not { IsDataFormatter: true, Script: { } script })
        {
            var missing = FormatOutcome.Failed($"The key's data formatter '{formatterName}' is not a utility command with the Data Formatter feature; the event was not created.");
            foreach (var item in selection.ItemsToFormat)
            {
                outcomes[item.Label] = missing;
            }
            return outcomes;
        }
        var name = command.Definition.Name;
        var sandboxOptions = options.Value.Sandbox;
        var limits = SandboxLimits.Default with { Timeout = TimeSpan.FromSeconds(sandboxOptions.FormatterTimeoutSeconds) };
        var budget = TimeSpan.FromSeconds(sandboxOptions.FormatterBudgetSeconds);
        var used = TimeSpan.Zero;
        var maxDepth = options.Value.Intake.MaxJsonDepth;
        foreach (var item in selection.ItemsToFormat)
        {
            if (used >= budget)
            {
                outcomes[item.Label] = FormatOutcome.Failed(
                    $"The formatter '{name}' used this ingestion's whole time budget ({budget.TotalSeconds:0} s, Gatehouse:Sandbox:FormatterBudgetSeconds); the event was not created.");
                continue;
            }
            var started = time.GetTimestamp();
            try
            {
                var result = await sandbox.CallAsync(SandboxLane.Formatters, script, "format", [item.Raw, scriptContext.DeepClone()], limits, cancellationToken);
                outcomes[item.Label] = NumberFidelity.Restore(item.Raw, result) switch
                {
                    null => FormatOutcome.Dropped,
                    JsonObject formatted when Depth(formatted) > maxDepth =>
                        FormatOutcome.Failed($"The formatter returned an event nested deeper than {maxDepth} levels (Gatehouse:Intake:MaxJsonDepth); the event was not created."),
                    JsonObject formatted => FormatOutcome.Kept(formatted),
                    var other => FormatOutcome.Failed($"The formatter returned {other.GetValueKind().ToString().ToLowerInvariant()}, not an event object or null."),
                };
            }
            catch (ScriptFailedException ex) when (ex is not ScriptCrashedException)
            {
                outcomes[item.Label] = FormatOutcome.Failed($"The formatter '{name}' failed: {ex.Message}");
            }
            finally
            {
                used += time.GetElapsedTime(started);
            }
        }
        return outcomes;
    }

    /// <summary>Levels of nesting, as a request body is measured: what a sender could not send, a formatter may not make.</summary>
    private static int Depth(JsonNode? node) => node switch
    {
        JsonObject obj => 1 + obj.Select(p => Depth(p.Value)).DefaultIfEmpty(0).Max(),
        JsonArray array => 1 + array.Select(Depth).DefaultIfEmpty(0).Max(),
        _ => 0,
    };
}
