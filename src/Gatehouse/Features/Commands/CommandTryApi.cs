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
/// once in a sandbox process of the checking lane with the given input. Nothing is written and nothing else is called.
/// </summary>
public static class CommandTryApi
{
    public static void MapCommandTryApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/commands/try", Try).WithTags("Remote commands").RequireAuthorization(Policies.Administrator)
            .WithName("TryCommand").WithSummary("Run a custom command or data formatter, as it would be saved, once with the given parameters or event. Nothing is written.");

    private static async Task<Results<Ok<CommandTryResult>, ProblemHttpResult>> Try(
        CommandTryRequest request, GatehouseDb db, CurrentUser user, SandboxPool sandbox, TimeProvider time, CancellationToken cancellationToken)
    {
        if (request.Command is not { } command)
        {
            return Problems.Invalid(["'command' is required: the command as you would save it (script, parameters, features)."]);
        }
        // A draft may not have its name yet; every other check is the one create makes.
        var errors = await CommandsApi.ValidateAsync(command with { Name = string.IsNullOrWhiteSpace(command.Name) ? "draft" : command.Name }, sandbox, cancellationToken);
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
        var timeout = TimeSpan.FromSeconds(command.TimeoutSeconds ?? CommandDefinition.DefaultTimeoutSeconds);
        var started = time.GetTimestamp();
        try
        {
            var result = await sandbox.CallAsync(SandboxLane.Checks, new SandboxScript(command.Script!), formatter ? "format" : "main",
                [arguments, context], SandboxLimits.Default with { Timeout = timeout }, cancellationToken);
            return TypedResults.Ok(new CommandTryResult(true, result, null, Elapsed(time, started)));
        }
        catch (ScriptFailedException ex)
        {
            return TypedResults.Ok(new CommandTryResult(false, null, ex.Message, Elapsed(time, started)));
        }
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

    private static double Elapsed(TimeProvider time, long started) => Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 1);
}
