using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Auth;
using Gatehouse.Core.Commands;
using Gatehouse.Core.Intake;
using Gatehouse.Core.Scripting;
using Gatehouse.Features.Auth;
using Gatehouse.Features.Webhooks;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Commands;

public static class CommandEndpoints
{
    public static void MapCommandEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/VSOC/api/Command/{command}", (string command, HttpContext context, CommandHandler handler) => handler.RunAsync(context, command))
            .WithTags("Remote commands").AllowAnonymous();
        app.MapPost("/VSOC/api/Integration/{integration}/{site}/{command}",
                (string integration, string site, string command, HttpContext context, CommandHandler handler) => handler.RunAsync(context, command, integration, site))
            .WithTags("Remote commands").AllowAnonymous();
    }
}

/// <summary>
/// A utility command over the webhook: authenticate (API key or token), check the key targets this
/// command, validate the body and its CommandParams against the declaration, run as the acting
/// user on the body's site within the command's time limit, and record the run.
/// </summary>
public sealed partial class CommandHandler(
    GatehouseDb db,
    WebhookFrontDoor frontDoor,
    CommandExecutor executor,
    CommandRunRecorder recorder,
    Attack.AttackContent attack,
    Playbooks.PlaybookTriggers playbooks,
    TimeProvider time,
    ILogger<CommandHandler> logger)
{
    /// <summary>A utility command (site from the body), or with <paramref name="integrationName"/> an integration command on the route's site.</summary>
    public async Task<IResult> RunAsync(HttpContext context, string commandName, string? integrationName = null, string? siteName = null)
    {
        var cancellationToken = context.RequestAborted;
        WebhookTarget target = integrationName is null ? new UtilityCommandTarget(commandName) : new IntegrationCommandTarget(integrationName, siteName!, commandName);
        var admission = await frontDoor.AdmitAsync(context, target);
        if (admission.Request is not { } admitted)
        {
            return admission.Refusal!;
        }
        var found = admitted.Command!;
        var command = found.Definition;
        using var document = JsonDocument.Parse(admitted.Body, new JsonDocumentOptions { MaxDepth = GatehouseJson.StoredMaxDepth });
        document.RootElement.TryGetProperty("CommandParams", out var commandParams);
        var (parameters, errors) = command.Compiled.Validate(commandParams);
        if (parameters is null)
        {
            return Problems.Invalid(errors);
        }
        if (admitted.TokenToRemember is { } spent && !await SpendAsync(spent, cancellationToken))
        {
            return frontDoor.Replayed(context, admitted.Caller);
        }
        var (site, user, integration) = (admitted.Site, admitted.ActingUser!, admitted.Integration);
        using var activity = Telemetry.Commands.StartActivity("gatehouse.command.run");
        activity?.SetTag("gatehouse.command", command.Name);
        var clock = Stopwatch.StartNew();
        var response = await executor.ExecuteAsync(found, integration, new CommandContext(db, site, user, time, attack.Catalog, attack.Sigma, playbooks), parameters, null, cancellationToken);
        LogCommandRan(logger, command.Name, clock.ElapsedMilliseconds);
        await RecordAsync(admitted.Caller, integration is null ? command : command with { Name = $"{integration.Name}/{command.Name}" },
            site, user, parameters, response, clock.ElapsedMilliseconds);
        return TypedResults.Json(response, GatehouseJson.Options);
    }

    /// <summary>The one-time token is spent before the command runs; false when a concurrent request spent it first.</summary>
    private async Task<bool> SpendAsync(UsedToken spent, CancellationToken cancellationToken)
    {
        db.UsedTokens.Add(spent);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex) || DatabaseErrors.IsUniqueViolation(ex.InnerException ?? ex))
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }

    private async Task RecordAsync(WebhookCaller caller, CommandDefinition command, SiteEntry site, UserEntry user, JsonObject parameters, CommandResponse response, long milliseconds)
    {
        await recorder.RecordAsync(new CommandRun
        {
            At = time.GetUtcNow(),
            KeyId = caller.KeyId,
            Command = command.Name,
            SiteId = site.Id,
            UserId = user.Id,
            Username = user.Username,
            ParametersJson = command.Redacted(parameters).ToJsonString(),
            DurationMilliseconds = milliseconds,
            ResultBytes = JsonSerializer.SerializeToUtf8Bytes(response, GatehouseJson.Options).Length,
            Error = string.IsNullOrEmpty(response.Error) ? null : response.Error,
        });
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Command {Command} ran in {Milliseconds} ms")]
    private static partial void LogCommandRan(ILogger logger, string command, long milliseconds);
}
