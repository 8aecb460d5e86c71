using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Commands;
using Gatehouse.Core.Scripting;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Infrastructure.Sandbox;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Commands;

/// <summary>
/// A command as it would be saved, and what to run it with: a utility command's parameters, or the event a data
/// formatter would be given. <paramref name="Site"/> is the site the script is told it runs for (your first site when absent).
/// </summary>
public sealed record CommandTryRequest([property: Required] CommandRequest? Command, JsonNode? Input, string? Site);

/// <summary>What the script returned (a formatter's <c>null</c> drops the event), or its error in plain words, and how long it ran.</summary>
public sealed record CommandTryResult(bool Succeeded, JsonNode? Result, string? Error, double DurationMs);

/// <summary>
/// "Run with these parameters": an unsaved (or saved) custom command or data formatter, checked as create checks it, run
/// once in a sandbox process of its own lane (so a long try never holds up saving or running scripts) with the given input,
/// for at most <see cref="MaxTrySeconds"/>. Nothing is written but the audit row of the try, and nothing else is called.
/// </summary>
public static class CommandTryApi
{
    /// <summary>A try runs at most this long, whatever the command's own timeout: the try lane has one process, shared by every administrator.</summary>
    public const int MaxTrySeconds = 30;

    /// <summary>How long a try waits for the try lane before it is refused as busy.</summary>
    public static readonly TimeSpan MaxQueueWait = TimeSpan.FromSeconds(2), RetryAfter = TimeSpan.FromSeconds(5);

    public static void MapCommandTryApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/commands/try", Try).WithTags("Remote commands").RequireAuthorization(Policies.Administrator)
            .WithName("TryCommand").WithSummary("Run a custom command or data formatter, as it would be saved, once with the given parameters or event, "
                + $"for at most {MaxTrySeconds} s. Nothing is written but an audit row (command.tried). When another try holds the try lane, 503 with Retry-After.");

    private static async Task<Results<Ok<CommandTryResult>, ProblemHttpResult>> Try(
        CommandTryRequest request, GatehouseDb db, CurrentUser user, SandboxPool sandbox, Audit.AuditLog audit, TimeProvider time, HttpContext http, CancellationToken cancellationToken)
    {
        if (request.Command is not { } command)
        {
            return Problems.Invalid(["'command' is required: the command as you would save it (script, parameters, features)."]);
        }
        try
        {
            return await TryAsync(request, command, db, user, sandbox, audit, time, cancellationToken);
        }
        catch (SandboxBusyException)
        {
            return Problems.Busy(http, RetryAfter, "Another try is running");
        }
    }

    private static async Task<Results<Ok<CommandTryResult>, ProblemHttpResult>> TryAsync(
        CommandTryRequest request, CommandRequest command, GatehouseDb db, CurrentUser user, SandboxPool sandbox, Audit.AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        // A draft may not have its name yet; every other check is the one create makes, run in the try lane so a try never holds up saving.
        var draft = command with { Name = string.IsNullOrWhiteSpace(command.Name) ? "draft" : command.Name };
        var errors = await CommandsApi.ValidateAsync(draft, sandbox, cancellationToken, SandboxLane.Tries, MaxQueueWait);
        var formatter = command.Features?.Contains(CommandsApi.DataFormatterFeature, StringComparer.OrdinalIgnoreCase) == true;
        var arguments = errors.Count == 0 ? Arguments(command, request.Input, formatter, errors) : null;
        var site = await SiteAsync(request.Site, db, user, errors, cancellationToken);
        if (errors.Count > 0 || arguments is null || site is null)
        {
            return Problems.Invalid(errors);
        }
        var context = formatter
            ? new JsonObject { ["site"] = site, ["integration"] = "(try)", ["refid"] = "(try)" }
            : new JsonObject { ["site"] = site, ["username"] = user.Username };
        var timeout = TimeSpan.FromSeconds(Math.Min(command.TimeoutSeconds ?? CommandDefinition.DefaultTimeoutSeconds, MaxTrySeconds));
        long? started = null;
        // Every try that ran is audited, even one whose caller went away (its row is written without the request's token).
        async Task AuditAsync(bool succeeded, bool abandoned)
        {
            audit.Record(Audit.AuditActions.CommandTried, target: string.IsNullOrWhiteSpace(command.Name) ? "(draft)" : command.Name.Trim(), detail: new
            {
                Site = site, Formatter = formatter, ScriptLength = command.Script!.Length, ScriptSha256 = CommandsApi.ScriptHash(command.Script),
                Succeeded = succeeded, Abandoned = abandoned, DurationMs = Elapsed(time, started),
            });
            await db.SaveChangesAsync(CancellationToken.None);
        }
        CommandTryResult tried;
        try
        {
            var result = await sandbox.CallAsync(SandboxLane.Tries, new SandboxScript(command.Script!), formatter ? "format" : "main",
                [arguments, context], SandboxLimits.Default with { Timeout = timeout }, cancellationToken, MaxQueueWait, () => started = time.GetTimestamp());
            tried = new CommandTryResult(true, result, null, Elapsed(time, started));
        }
        catch (ScriptFailedException ex)
        {
            tried = new CommandTryResult(false, null, ex.Message, Elapsed(time, started));
        }
        catch (OperationCanceledException) when (started is not null)
        {
            await AuditAsync(false, abandoned: true);
            throw;
        }
        await AuditAsync(tried.Succeeded, abandoned: false);
        return TypedResults.Ok(tried);
    }

    /// <summary>A formatter's event (any object), or a command's parameters validated against its declaration with defaults filled in.</summary>
    private static JsonNode? Arguments(CommandRequest command, JsonNode? input, bool formatter, List<string> errors)
    {
        if (formatter)
        {
            if (input is JsonObject)
            {
                return input.DeepClone();
            }
            errors.Add("'input' must be the event the formatter is given: a JSON object, as one item of a request body.");
            return null;
        }
        if (input is not (null or JsonObject))
        {
            errors.Add("'input' must be the command's parameters: a JSON object of values by parameter name.");
            return null;
        }
        var (values, violations) = new CommandParameters(command.Parameters ?? []).Validate(JsonSerializer.SerializeToElement(input ?? new JsonObject()));
        errors.AddRange(violations.Select(v => $"'input': {v}"));
        return values;
    }

    private static async Task<string?> SiteAsync(string? name, GatehouseDb db, CurrentUser user, List<string> errors, CancellationToken cancellationToken)
    {
        var sites = await user.SiteIdsAsync(cancellationToken);
        var visible = db.Sites.AsNoTracking().Where(s => sites.Contains(s.Id));
        if (name is null)
        {
            return await visible.OrderBy(s => s.Id).Select(s => s.Name).FirstOrDefaultAsync(cancellationToken) ?? "";
        }
        var normalized = Normalize.Name(name);
        var site = await visible.Where(s => s.NormalizedName == normalized).Select(s => s.Name).FirstOrDefaultAsync(cancellationToken);
        if (site is null)
        {
            errors.Add($"'site': there is no site '{name}' that you can see.");
        }
        return site;
    }

    /// <summary>How long the script ran: from its start in the sandbox process (after any wait for the process), or 0 if it never started.</summary>
    private static double Elapsed(TimeProvider time, long? started) => started is { } at ? Math.Round(time.GetElapsedTime(at).TotalMilliseconds, 1) : 0;
}
