using System.Text.Json;
using Gatehouse.Core.Auth;
using Gatehouse.Core.Intake;
using Gatehouse.Features.Commands;
using Gatehouse.Features.Intake;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Webhooks;

/// <summary>What a webhook route serves, named by its path.</summary>
public abstract record WebhookTarget;

public sealed record IntakeTarget(string Integration, string Site, IntakeKind Kind) : WebhookTarget;

public sealed record UtilityCommandTarget(string Command) : WebhookTarget;

public sealed record IntegrationCommandTarget(string Integration, string Site, string Command) : WebhookTarget;

/// <summary>
/// A request the front door let in, and what must be stored with it: the one-time token to
/// remember (in the same commit as the request's own work), and for commands the acting user.
/// </summary>
public sealed record WebhookRequest(
    WebhookCaller Caller,
    byte[] Body,
    SiteEntry Site,
    IntegrationEntry? Integration,
    CatalogCommand? Command,
    UserEntry? ActingUser,
    UsedToken? TokenToRemember);

/// <summary>Either the admitted request or the answer that refuses it.</summary>
public readonly record struct Admission(WebhookRequest? Request, IResult? Refusal);

/// <summary>
/// The one front door of every webhook route (intake and both command routes), in this order:
/// authenticate the key → resolve the target (404) → check the key's scope on it (401) → per-key
/// rate (429) → for intake, the backlog bound (503) → content type (415) → read the body within
/// its limit (413) → inspect the JSON (400) → the site (a command's from its body) → the token
/// against the body (401) → for commands, the acting user. A request to an intake with no API key or token may be a signed
/// delivery: its candidate keys are those of the endpoint (unknown endpoint: 401), its body is read, and its signature
/// verified (401) before the rate, content type and JSON. Every refusal uses <see cref="WebhookProblems"/>.
/// </summary>
public sealed class WebhookFrontDoor(
    GatehouseDb db,
    WebhookAuthenticator authenticator,
    TokenVerifier tokens,
    WebhookDirectory directory,
    CommandCatalog catalog,
    KeyRateLimiter rateLimiter,
    IntakeBacklog backlog,
    IntakeMetrics metrics,
    SignedSenders signedSenders,
    ClientAddresses addresses,
    IOptions<GatehouseOptions> options)
{
    private sealed record Resolved(IntegrationEntry? Integration, SiteEntry? Site, CatalogCommand? Command);

    public async Task<Admission> AdmitAsync(HttpContext context, WebhookTarget target)
    {
        using var activity = Telemetry.Webhooks.StartActivity("gatehouse.webhook.admit");
        var admission = await AdmitCoreAsync(context, target);
        activity?.SetTag("gatehouse.webhook.route", target.GetType().Name);
        activity?.SetTag("gatehouse.key", admission.Request?.Caller.KeyId);
        if (admission.Refusal is IStatusCodeHttpResult { StatusCode: { } status })
        {
            activity?.SetTag("http.response.status_code", status);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error);
        }
        return admission;
    }

    private async Task<Admission> AdmitCoreAsync(HttpContext context, WebhookTarget target)
    {
        var cancellationToken = context.RequestAborted;
        var auth = await authenticator.AuthenticateAsync(context.Request, cancellationToken);
        // Without an API key or token, a request to an intake may be a vendor's signed delivery: its key is found by the endpoint.
        var maybeSigned = auth.Failure is { Reason: AuthFailureReason.MissingCredentials or AuthFailureReason.TokenRequired } && target is IntakeTarget;
        if (auth.Failure is { } failure && !maybeSigned)
        {
            return Refuse(Unauthorized(context, failure));
        }
        var caller = auth.Caller;
        if (caller is not null && Admitted(context, caller) is { } notAllowed)
        {
            return Refuse(notAllowed);
        }
        var (resolved, notFound) = await ResolveAsync(target, cancellationToken);
        if (notFound is not null)
        {
            // Who sent no credentials learns nothing of which integrations and sites exist.
            return Refuse(caller is null ? Unauthorized(context, auth.Failure!.Value) : notFound);
        }
        IReadOnlyList<SignedKeyEntry> signers = [];
        if (caller is null)
        {
            signers = await signedSenders.CandidatesAsync(db, resolved!.Integration!, resolved.Site!, ((IntakeTarget)target).Kind, context.Request.Headers, cancellationToken);
            if (signers.Count == 0)
            {
                return Refuse(Unauthorized(context, auth.Failure!.Value));
            }
        }
        else if (ScopeFailure(caller.Scope, target, resolved!) is { } scopeFailure)
        {
            return Refuse(Unauthorized(context, new AuthFailure(scopeFailure, caller.KeyId)));
        }
        else if (RateLimited(context, caller) is { } limited)
        {
            return Refuse(limited);
        }
        if (target is IntakeTarget && backlog.IsFull)
        {
            metrics.Refused("backlog_full");
            return Refuse(WebhookProblems.Unavailable(context, "backlog_full", "Gatehouse has more unprocessed requests than it may hold; retry later.", TimeSpan.FromSeconds(5)));
        }
        // A signed request's content type is judged once its signature holds: until then it learns nothing but 401.
        if (caller is not null && !ContentTypes.IsJson(context.Request.ContentType))
        {
            return Refuse(WebhookProblems.UnsupportedMediaType());
        }
        var limits = options.Value.Intake;
        var body = await BodyReader.ReadAsync(context, limits.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Refuse(WebhookProblems.TooLarge(limits.MaxBodyBytes));
        }
        if (caller is null)
        {
            // The signature is checked over the bytes as received, before the JSON is read.
            var (signer, signatureFailure) = signedSenders.Verify(signers, context.Request.Headers, body, addresses.Of(context));
            if (signatureFailure is { } badSignature)
            {
                return Refuse(Unauthorized(context, badSignature));
            }
            caller = signer!;
            if (RateLimited(context, caller) is { } limitedSigner)
            {
                return Refuse(limitedSigner);
            }
            if (!ContentTypes.IsJson(context.Request.ContentType))
            {
                return Refuse(WebhookProblems.UnsupportedMediaType());
            }
        }
        var verdict = JsonBodyInspector.Inspect(body, limits.MaxJsonDepth);
        if (!verdict.IsValid)
        {
            return Refuse(WebhookProblems.BadBody(verdict));
        }
        // A command body is read once here, for its Site and Username; intake bodies are left to processing.
        using var command = target is IntakeTarget ? null : JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = GatehouseJson.StoredMaxDepth });
        if (command is { RootElement.ValueKind: not JsonValueKind.Object })
        {
            return Refuse(WebhookProblems.CommandBodyNotObject());
        }
        var (site, siteRefusal) = resolved!.Site is { } routeSite ? (routeSite, null) : await SiteFromBodyAsync(command!.RootElement, cancellationToken);
        if (siteRefusal is not null)
        {
            return Refuse(siteRefusal);
        }
        UsedToken? tokenToRemember = null;
        if (caller.Jwt is not null)
        {
            var (tokenFailure, spent) = await tokens.VerifyAsync(caller, body, site!, cancellationToken);
            if (tokenFailure is { } refused)
            {
                return Refuse(Unauthorized(context, refused));
            }
            tokenToRemember = spent;
        }
        UserEntry? actingUser = null;
        if (command is not null)
        {
            var (user, refusal) = await ActingUsers.ResolveAsync(db, directory, context, authenticator, caller, command.RootElement, site!, cancellationToken);
            if (refusal is not null)
            {
                return Refuse(refusal);
            }
            actingUser = user;
        }
        return new Admission(new WebhookRequest(caller, body, site!, resolved.Integration, resolved.Command, actingUser, tokenToRemember), null);
    }

    /// <summary>The key's source allow-list, against the connection's address (or behind trusted proxies the client's).</summary>
    private IResult? Admitted(HttpContext context, WebhookCaller caller) =>
        SourceAllowList.Allows(caller.AllowedSources, addresses.Of(context)) ? null
            : Unauthorized(context, new AuthFailure(AuthFailureReason.SourceNotAllowed, caller.KeyId));

    private IResult? RateLimited(HttpContext context, WebhookCaller caller)
    {
        if (rateLimiter.TryAcquire(caller.KeyId, caller.RateLimitPerSecond) is not { } retryAfter)
        {
            return null;
        }
        authenticator.RecordFailure(context, new AuthFailure(AuthFailureReason.RateLimited, caller.KeyId));
        return Problems.RateLimited(context, retryAfter);
    }

    /// <summary>The refusal for a one-time token that another request spent first (their commits raced).</summary>
    public IResult Replayed(HttpContext context, WebhookCaller caller) =>
        Unauthorized(context, new AuthFailure(AuthFailureReason.InvalidToken, caller.KeyId, TokenProblem.Replayed));

    private async Task<(Resolved?, IResult?)> ResolveAsync(WebhookTarget target, CancellationToken cancellationToken)
    {
        switch (target)
        {
            case IntakeTarget intake:
            {
                var integration = await directory.IntegrationAsync(db, intake.Integration, cancellationToken);
                var site = await directory.SiteAsync(db, intake.Site, cancellationToken);
                return integration is null ? (null, WebhookProblems.NoIntegration(intake.Integration))
                    : site is null ? (null, WebhookProblems.NoSite(intake.Site))
                    : (new Resolved(integration, site, null), null);
            }
            case UtilityCommandTarget utility:
            {
                var command = await catalog.FindAsync(db, utility.Command, cancellationToken);
                return command is null ? (null, Problems.NotFound($"There is no utility command '{utility.Command}'.")) : (new Resolved(null, null, command), null);
            }
            case IntegrationCommandTarget route:
            {
                var integration = await directory.IntegrationAsync(db, route.Integration, cancellationToken);
                var site = await directory.SiteAsync(db, route.Site, cancellationToken);
                var command = integration is null ? null : await catalog.FindIntegrationCommandAsync(db, integration.Id, route.Command, cancellationToken);
                return integration is null ? (null, WebhookProblems.NoIntegration(route.Integration))
                    : site is null ? (null, WebhookProblems.NoSite(route.Site))
                    : command is null ? (null, Problems.NotFound($"The integration '{integration.Name}' has no command '{route.Command}'."))
                    : (new Resolved(integration, site, command), null);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(target), target, "Unknown webhook target");
        }
    }

    private static AuthFailureReason? ScopeFailure(KeyScope scope, WebhookTarget target, Resolved resolved) => target switch
    {
        IntakeTarget intake => KeyScopeRules.CheckIntake(scope, new IntakeEndpoint(resolved.Integration!.Id, intake.Kind, resolved.Site!.Id, resolved.Site.Kind)),
        UtilityCommandTarget => KeyScopeRules.CheckCommand(scope, resolved.Command!.Definition.Name),
        _ => KeyScopeRules.CheckIntegrationCommand(scope, resolved.Integration!.Id, resolved.Command!.Definition.Name, resolved.Site!.Id, resolved.Site.Kind),
    };

    /// <summary>A utility command's site is named by its body: <c>{"Site": "..."}</c>.</summary>
    private async Task<(SiteEntry?, IResult?)> SiteFromBodyAsync(JsonElement root, CancellationToken cancellationToken)
    {
        if (!root.TryGetProperty("Site", out var siteElement) || siteElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(siteElement.GetString()))
        {
            return (null, Problems.Invalid(["'Site' is required: the name of the site the command runs on."]));
        }
        var site = await directory.SiteAsync(db, siteElement.GetString()!, cancellationToken);
        return site is null ? (null, WebhookProblems.NoSite(siteElement.GetString()!)) : (site, null);
    }

    private static Admission Refuse(IResult refusal) => new(null, refusal);

    private IResult Unauthorized(HttpContext context, AuthFailure failure)
    {
        authenticator.RecordFailure(context, failure);
        return Problems.Create(401, "unauthorized", authenticator.MessageFor(failure.Reason));
    }
}
