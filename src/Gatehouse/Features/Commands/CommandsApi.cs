using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Gatehouse.Core.Commands;
using Gatehouse.Core.Scripting;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Infrastructure.Sandbox;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Commands;

public sealed record CommandRequest([property: Required] string? Name, string? Description, List<CommandParameter>? Parameters, [property: Required] string? Script, List<string>? Features, int? TimeoutSeconds = null);

public sealed record CommandView(
    string Name, string? Description, bool BuiltIn, IReadOnlyList<string> Features, IReadOnlyList<CommandParameter> Parameters, string? Script, int TimeoutSeconds);

public static class CommandsApi
{
    public const string DataFormatterFeature = "DataFormatter";

    public static void MapCommandsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/commands").WithTags("Remote commands").RequireAuthorization();
        group.MapGet("/", List).WithName("ListCommands").WithSummary("List the utility commands: built-in and custom.").WithListPaging();
        group.MapGet("/{name}", Get).WithName("GetCommand").WithSummary("One utility command, with its parameters (and a custom command's script).");
        group.MapPost("/", Create).RequireAuthorization(Policies.Administrator).WithName("CreateCommand").WithSummary("Create a custom utility command or data formatter (a sandboxed script).");
        group.MapPut("/{name}", Update).RequireAuthorization(Policies.Administrator).WithName("ReplaceCommand").WithSummary("Replace a custom command's definition.");
        group.MapDelete("/{name}", Delete).RequireAuthorization(Policies.Administrator)
            .WithName("DeleteCommand").WithSummary("Delete a custom command no key or playbook uses.");
    }

    internal static async Task<Ok<List<CommandView>>> List(GatehouseDb db, CancellationToken cancellationToken)
    {
        var custom = await db.CustomCommands.AsNoTracking().OrderBy(c => c.Name).ToListAsync(cancellationToken);
        return TypedResults.Ok(BuiltInCommands.All.Select(BuiltInView).Concat(custom.Select(c => CustomView(c, withScript: false))).ToList());
    }

    internal static async Task<Results<Ok<CommandView>, ProblemHttpResult>> Get(string name, GatehouseDb db, CancellationToken cancellationToken)
    {
        if (BuiltInCommands.Definition(name) is { } builtIn)
        {
            return TypedResults.Ok(BuiltInView(builtIn));
        }
        var normalized = Normalize.Name(name);
        var custom = await db.CustomCommands.AsNoTracking().FirstOrDefaultAsync(c => c.NormalizedName == normalized, cancellationToken);
        return custom is null ? Problems.NotFound($"There is no utility command '{name}'.") : TypedResults.Ok(CustomView(custom, withScript: true));
    }

    private static async Task<Results<Created<CommandView>, ProblemHttpResult>> Create(
        CommandRequest request, GatehouseDb db, CurrentUser user, SandboxPool sandbox, Audit.AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = await ValidateAsync(request, sandbox, cancellationToken);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var name = request.Name!.Trim();
        var normalized = Normalize.Name(name);
        if (await db.CustomCommands.AnyAsync(c => c.NormalizedName == normalized, cancellationToken))
        {
            return Duplicates.Command(name);
        }
        var now = time.GetUtcNow();
        var command = new CustomCommand
        {
            Name = name,
            NormalizedName = normalized,
            ParametersJson = "[]",
            Script = "",
            CreatedByUserId = user.Id,
            CreatedAt = now,
        };
        Apply(command, request, now);
        db.CustomCommands.Add(command);
        await audit.SaveCreatedAsync(Audit.AuditActions.CommandCreated, () => (command.Name, AuditedView(command), null), cancellationToken);
        return TypedResults.Created($"/api/commands/{Uri.EscapeDataString(name)}", CustomView(command, withScript: true));
    }

    internal static async Task<Results<Ok<CommandView>, ProblemHttpResult>> Update(
        string name, CommandRequest request, GatehouseDb db, SandboxPool sandbox, Audit.AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var normalized = Normalize.Name(name);
        var command = await db.CustomCommands.FirstOrDefaultAsync(c => c.NormalizedName == normalized, cancellationToken);
        if (command is null)
        {
            return Problems.NotFound($"There is no custom utility command '{name}'.");
        }
        var errors = await ValidateAsync(request with { Name = command.Name }, sandbox, cancellationToken);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var before = AuditedView(command);
        Apply(command, request, time.GetUtcNow());
        if (audit.RecordChange(Audit.AuditActions.CommandUpdated, command.Name, before, AuditedView(command)))
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        return TypedResults.Ok(CustomView(command, withScript: true));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string name, GatehouseDb db, Playbooks.PlaybookLibrary playbooks, Audit.AuditLog audit, CancellationToken cancellationToken)
    {
        if (BuiltInCommands.Find(name) is not null)
        {
            return Problems.Conflict("built_in_command", $"'{name}' is a built-in command; it cannot be deleted.");
        }
        var normalized = Normalize.Name(name);
        var command = await db.CustomCommands.FirstOrDefaultAsync(c => c.NormalizedName == normalized, cancellationToken);
        if (command is null)
        {
            return Problems.NotFound($"There is no custom utility command '{name}'.");
        }
        var keys = await db.WebhookKeys.Where(k => (k.Module == Core.Auth.KeyModule.UtilityCommand && k.Command == command.Name) || k.DataFormatter == command.Name)
            .Select(k => k.Name).OrderBy(n => n).ToListAsync(cancellationToken);
        var users = await playbooks.UsingCommandAsync(db, command.Name, cancellationToken);
        if (keys.Count > 0 || users.Count > 0)
        {
            var uses = keys.Select(k => $"key '{k}'").Concat(users.Select(p => $"playbook '{p}'")).ToList();
            return Problems.Conflict("command_in_use",
                $"'{command.Name}' is used by {string.Join(", ", uses.Take(10))}{(uses.Count > 10 ? ", …" : "")}: change or delete those first.");
        }
        audit.Record(Audit.AuditActions.CommandDeleted, target: command.Name, detail: AuditedView(command));
        db.CustomCommands.Remove(command);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>What an audit row keeps of a command: its definition, with the script as its length and hash (it may be long).</summary>
    private static object AuditedView(CustomCommand command) => new
    {
        command.Name, command.Description, Features = command.IsDataFormatter ? new[] { DataFormatterFeature } : [],
        Parameters = CommandCatalog.ParametersOf(command), command.TimeoutSeconds,
        ScriptLength = command.Script.Length,
        ScriptSha256 = ScriptHash(command.Script),
    };

    /// <summary>How audit rows name a script without keeping it.</summary>
    public static string ScriptHash(string script) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(script)));

    private static void Apply(CustomCommand command, CommandRequest request, DateTimeOffset now)
    {
        command.Description = request.Description;
        command.ParametersJson = JsonSerializer.Serialize(request.Parameters ?? [], GatehouseJson.Options);
        command.Script = request.Script!;
        command.IsDataFormatter = request.Features?.Contains(DataFormatterFeature, StringComparer.OrdinalIgnoreCase) == true;
        command.TimeoutSeconds = request.TimeoutSeconds ?? CommandDefinition.DefaultTimeoutSeconds;
        command.UpdatedAt = now;
    }

    /// <summary>Every problem of a command definition, including a script that does not parse or lacks its function (checked in a sandbox process).</summary>
    /// <param name="lane">Where the script's top level is run: the checking lane, or for a try its own (waiting at most <paramref name="maxWait"/>).</param>
    internal static async Task<List<string>> ValidateAsync(CommandRequest request, SandboxPool sandbox, CancellationToken cancellationToken,
        SandboxLane lane = SandboxLane.Checks, TimeSpan? maxWait = null)
    {
        var errors = new List<string>();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200 || name.Any(c => char.IsControl(c) || c is '/' or '\\'))
        {
            errors.Add("'name' is required: at most 200 characters, without '/', '\\' or control characters.");
        }
        else if (BuiltInCommands.Find(name) is not null)
        {
            errors.Add($"'{name}' is a built-in command; choose another name.");
        }
        if (request.Description is { Length: > 2000 })
        {
            errors.Add("'description' is longer than 2000 characters.");
        }
        if (request.TimeoutSeconds is < 1 or > CommandDefinition.MaxTimeoutSeconds)
        {
            errors.Add($"'timeoutSeconds' must be between 1 and {CommandDefinition.MaxTimeoutSeconds}.");
        }
        var parameters = request.Parameters ?? [];
        if (parameters.Any(p => string.IsNullOrWhiteSpace(p.Name) || p.Name.Length > 100))
        {
            errors.Add("Every parameter needs a name of 1 to 100 characters.");
        }
        else if (parameters.Select(p => p.Name).Distinct(StringComparer.Ordinal).Count() != parameters.Count)
        {
            errors.Add("A parameter name is declared twice.");
        }
        var unknownFeatures = (request.Features ?? []).Where(f => !string.Equals(f, DataFormatterFeature, StringComparison.OrdinalIgnoreCase)).ToList();
        if (unknownFeatures.Count > 0)
        {
            errors.Add($"Unknown features: {string.Join(", ", unknownFeatures)}. Known: {DataFormatterFeature}.");
        }
        if (string.IsNullOrWhiteSpace(request.Script))
        {
            errors.Add("'script' is required: JavaScript defining function main(params, context).");
            return errors;
        }
        try
        {
            var formatter = request.Features?.Contains(DataFormatterFeature, StringComparer.OrdinalIgnoreCase) == true;
            var function = formatter ? "format" : "main";
            var limits = SandboxLimits.Default with { Timeout = TimeSpan.FromSeconds(Math.Clamp(request.TimeoutSeconds ?? CommandDefinition.DefaultTimeoutSeconds, 1, CommandDefinition.MaxTimeoutSeconds)) };
            if (!await sandbox.DefinesAsync(new SandboxScript(request.Script), function, limits, cancellationToken, lane, maxWait))
            {
                errors.Add(formatter
                    ? "A data formatter's script must define function format(event, context)."
                    : "The script must define function main(params, context).");
            }
        }
        catch (ScriptFailedException ex)
        {
            errors.Add($"'script': {ex.Message}");
        }
        return errors;
    }

    private static CommandView BuiltInView(CommandDefinition command) =>
        new(command.Name, command.Description, true, [], command.Parameters.Where(p => !p.Hidden).ToList(), null, command.TimeoutSeconds);

    private static CommandView CustomView(CustomCommand command, bool withScript) =>
        new(command.Name, command.Description, false, command.IsDataFormatter ? [DataFormatterFeature] : [],
            CommandCatalog.ParametersOf(command), withScript ? command.Script : null, command.TimeoutSeconds);
}
