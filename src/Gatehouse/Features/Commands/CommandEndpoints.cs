using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Auth;
using Gatehouse.Core.Commands;
using Gatehouse.Core.Intake;
using Gatehouse.Core.Scripting;
using Gatehouse.Features.Auth;
using Gatehouse.Features.Intake;
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
    WebhookAuthenticator authenticator,
    TokenVerifier tokens,
    WebhookDirectory directory,
    KeyRateLimiter rateLimiter,
    CommandCatalog catalog,
    CommandExecutor executor,
    CommandRunRecorder recorder,
    Attack.AttackContent attack,
    Playbooks.PlaybookTriggers playbooks,
    IOptions<GatehouseOptions> options,
    TimeProvider time,
    ILogger<CommandHandler> logger)
{
    /// <summary>A utility command (site from the body), or with <paramref name="integrationName"/> an integration command on the route's site.</summary>
    public async Task<IResult> RunAsync(HttpContext context, string commandName, string? integrationName = null, string? siteName = null)
    {
        var cancellationToken = context.RequestAborted;
        var auth = await authenticator.AuthenticateAsync(context.Request, cancellationToken);
        if (auth.Failure is { } failure)
        {
            return Unauthorized(context, failure);
        }
        var caller = auth.Caller!;
        SiteEntry? routeSite = null;
        IntegrationEntry? integration = null;
        CatalogCommand? found;
        if (integrationName is null)
        {
            found = await catalog.FindAsync(db, commandName, cancellationToken);
            if (found is null)
            {
                return Problems.NotFound($"There is no utility command '{commandName}'.");
            }
            if (KeyScopeRules.CheckCommand(caller.Scope, found.Definition.Name) is { } scopeFailure)
            {
                return Unauthorized(context, new AuthFailure(scopeFailure, caller.KeyId));
            }
        }
        else
        {
            integration = await directory.IntegrationAsync(db, integrationName, cancellationToken);
            routeSite = await directory.SiteAsync(db, siteName!, cancellationToken);
            found = integration is null ? null : await catalog.FindIntegrationCommandAsync(db, integration.Id, commandName, cancellationToken);
            if (integration is null || routeSite is null || found is null)
            {
                return Problems.NotFound(integration is null ? $"There is no integration '{integrationName}'."
                    : routeSite is null ? $"There is no site '{siteName}'." : $"The integration '{integration.Name}' has no command '{commandName}'.");
            }
            if (KeyScopeRules.CheckIntegrationCommand(caller.Scope, integration.Id, found.Definition.Name, routeSite.Id, routeSite.Kind) is { } scopeFailure)
            {
                return Unauthorized(context, new AuthFailure(scopeFailure, caller.KeyId));
            }
        }
        var command = found.Definition;
        if (rateLimiter.TryAcquire(caller.KeyId, caller.RateLimitPerSecond) is { } retryAfter)
        {
            authenticator.RecordFailure(context, new AuthFailure(AuthFailureReason.RateLimited, caller.KeyId));
            return Problems.RateLimited(context, retryAfter);
        }
        if (!ContentTypes.IsJson(context.Request.ContentType))
        {
            return Problems.Create(415, "unsupported_media_type", "Send the body as JSON with 'Content-Type: application/json'.");
        }
        var body = await BodyReader.ReadAsync(context, options.Value.Intake.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Problems.Create(413, "body_too_large", $"The request body is larger than the limit of {options.Value.Intake.MaxBodyBytes} bytes.");
        }
        var verdict = JsonBodyInspector.Inspect(body, options.Value.Intake.MaxJsonDepth);
        if (!verdict.IsValid)
        {
            return Problems.BadRequest("malformed_json", verdict.Message);
        }
        using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = GatehouseJson.StoredMaxDepth });
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Problems.BadRequest("body_not_object", "A remote-command body is a JSON object: {\"Username\", \"Site\", \"Timestamp\", \"CommandParams\": {...}}.");
        }
        var site = routeSite;
        if (site is null)
        {
            if (!root.TryGetProperty("Site", out var siteElement) || siteElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(siteElement.GetString()))
            {
                return Problems.Invalid(["'Site' is required: the name of the site the command runs on."]);
            }
            site = await directory.SiteAsync(db, siteElement.GetString()!, cancellationToken);
            if (site is null)
            {
                return Problems.NotFound($"There is no site '{siteElement.GetString()}'.");
            }
        }
        if (caller.Jwt is not null && await tokens.VerifyAsync(caller, body, site, cancellationToken) is { } tokenFailure)
        {
            return Unauthorized(context, tokenFailure);
        }
        var (user, refusal) = await ActingUserAsync(context, caller, root, site, cancellationToken);
        if (user is null)
        {
            return refusal!;
        }
        root.TryGetProperty("CommandParams", out var commandParams);
        var (parameters, errors) = command.Compiled.Validate(commandParams);
        if (parameters is null)
        {
            return Problems.Invalid(errors);
        }
        if (caller.Jwt is { RejectReplayedTokens: true })
        {
            await db.SaveChangesAsync(cancellationToken); // the one-time token is spent before the command runs
        }
        var clock = Stopwatch.StartNew();
        var response = await executor.ExecuteAsync(found, integration, new CommandContext(db, site, user, time, attack.Catalog, attack.Sigma, playbooks), parameters, null, cancellationToken);
        LogCommandRan(logger, command.Name, clock.ElapsedMilliseconds);
        await RecordAsync(caller, integration is null ? command : command with { Name = $"{integration.Name}/{command.Name}" },
            site, user, parameters, response, clock.ElapsedMilliseconds);
        return TypedResults.Json(response, GatehouseJson.Options);
    }

    /// <summary>
    /// The acting user — for tokens the verified Username claim, for API keys the body's Username, else
    /// the key's assigned user or creator — and the one rule of <see cref="KeyAuthority.CheckRun"/>: the
    /// command runs only where the key, its owners (creator and assignee) and the acting user all have the right.
    /// </summary>
    private async Task<(UserEntry?, IResult?)> ActingUserAsync(HttpContext context, WebhookCaller caller, JsonElement body, SiteEntry site, CancellationToken cancellationToken)
    {
        var key = await db.WebhookKeys.AsNoTracking().Where(k => k.Id == caller.KeyId)
            .Select(k => new KeyHolders(k.CreatedByUserId, k.AssignedUserId, k.VisibleToAll)).FirstAsync(cancellationToken);
        var source = caller.Token?.Payload ?? body;
        UserEntry? named = null;
        if (source.TryGetProperty("Username", out var username) && username.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(username.GetString()))
        {
            named = await directory.UserAsync(db, username.GetString()!, cancellationToken);
            if (named is null)
            {
                return (null, Unauthorized(context, new AuthFailure(AuthFailureReason.InvalidToken, caller.KeyId, TokenProblem.UserNotAllowed)));
            }
        }
        var actingId = named?.Id ?? key.AssignedUserId ?? key.CreatorId;
        // Read fresh (not from the directory cache): one row per distinct user, the acting user often being an owner.
        var users = new Dictionary<int, Grantee?>();
        foreach (var id in new[] { actingId, key.CreatorId, key.AssignedUserId }.OfType<int>().Distinct())
        {
            users[id] = await Grantees.LoadAsync(db, id, cancellationToken);
        }
        var acting = users[actingId];
        var creator = users[key.CreatorId];
        var assignee = key.AssignedUserId is { } assignedId ? users[assignedId] : null;
        var refusal = acting is null || creator is null ? RunRefusal.UserNotAllowed : KeyAuthority.CheckRun(key, creator, assignee, acting, site.Id);
        switch (refusal)
        {
            case RunRefusal.UserNotAllowed:
                return (null, Unauthorized(context, new AuthFailure(AuthFailureReason.InvalidToken, caller.KeyId, TokenProblem.UserNotAllowed)));
            case RunRefusal.OwnerLacksSite:
                authenticator.RecordFailure(context, new AuthFailure(AuthFailureReason.WrongSite, caller.KeyId, Detail: "OwnerLacksSite"));
                return (null, Problems.Forbidden($"This key cannot act on the site '{site.Name}': its creator or its assigned user has no access to that site."));
            case RunRefusal.UserLacksSite:
                authenticator.RecordFailure(context, new AuthFailure(AuthFailureReason.WrongSite, caller.KeyId, Detail: "UserLacksSite"));
                return (null, Problems.Forbidden($"The acting user has no access to the site '{site.Name}'."));
        }
        return (new UserEntry(acting!.Id, acting.Username, acting.Enabled), null);
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

    private IResult Unauthorized(HttpContext context, AuthFailure failure)
    {
        authenticator.RecordFailure(context, failure);
        return Problems.Create(401, "unauthorized", authenticator.MessageFor(failure.Reason));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Command {Command} ran in {Milliseconds} ms")]
    private static partial void LogCommandRan(ILogger logger, string command, long milliseconds);
}
