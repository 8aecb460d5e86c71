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
            .WithName("RunUtilityCommand").WithTags("Remote commands").AllowAnonymous();
        app.MapPost("/VSOC/api/Integration/{integration}/{site}/{command}",
                (string integration, string site, string command, HttpContext context, CommandHandler handler) => handler.RunAsync(context, command, integration, site))
            .WithName("RunIntegrationCommand").WithTags("Remote commands").AllowAnonymous();
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
    Incidents.IncidentLifecycle incidents,
    Events.EventTriage triage,
    ParameterChecks checks,
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
        using var merged = WithEnvelopeValues(command, document.RootElement, commandParams, context.Request.Query);
        var given = merged?.RootElement ?? commandParams;
        var (parameters, errors) = command.Compiled.Validate(given);
        var violations = checks.Check(command, parameters ?? command.Compiled.Passing(given));
        if (parameters is null || violations.Count > 0)
        {
            return Problems.Invalid([.. errors, .. violations]);
        }
        if (admitted.TokenToRemember is { } spent && !await SpendAsync(spent, cancellationToken))
        {
            return frontDoor.Replayed(context, admitted.Caller);
        }
        var (site, user, integration) = (admitted.Site, admitted.ActingUser!, admitted.Integration);
        using var activity = Telemetry.Commands.StartActivity("gatehouse.command.run");
        activity?.SetTag("gatehouse.command", command.Name);
        var clock = Stopwatch.StartNew();
        var response = await executor.ExecuteAsync(found, integration, new CommandContext(db, site, user, time, attack.Catalog, attack.Sigma, playbooks, incidents, triage, admitted.Caller.KeyId), parameters, null, cancellationToken);
        LogCommandRan(logger, command.Name, clock.ElapsedMilliseconds);
        await RecordAsync(admitted.Caller, integration is null ? command : command with { Name = $"{integration.Name}/{command.Name}" },
            site, user, parameters, response, clock.ElapsedMilliseconds);
        return TypedResults.Json(response, GatehouseJson.Options);
    }

    /// <summary>CommandParams with the values of envelope parameters given beside it, or null when there are none.</summary>
    private static JsonDocument? WithEnvelopeValues(CommandDefinition command, JsonElement body, JsonElement commandParams, IQueryCollection query)
    {
        if (commandParams.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined or JsonValueKind.Null))
        {
            return null;
        }
        JsonObject? merged = null;
        foreach (var parameter in command.Parameters.Where(p => p.FromEnvelope))
        {
            // A poller's paging may put the page number as text ("1") beside CommandParams or in the query string.
            var text = body.TryGetProperty(parameter.Name, out var top) ? (top.ValueKind == JsonValueKind.String ? top.GetString() : null)
                : query.TryGetValue(parameter.Name, out var fromQuery) ? fromQuery.ToString() : null;
            JsonNode? value = text is not null
                ? long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) ? number : JsonValue.Create(text)
                : top.ValueKind == JsonValueKind.Undefined ? null : JsonNode.Parse(top.GetRawText());
            if (value is null)
            {
                continue;
            }
            merged ??= commandParams.ValueKind == JsonValueKind.Object ? JsonNode.Parse(commandParams.GetRawText())!.AsObject() : [];
            merged[parameter.Name] = value;
        }
        return merged is null ? null : JsonDocument.Parse(merged.ToJsonString());
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
