using System.Text.Json;
using Gatehouse.Core.Auth;
using Gatehouse.Features.Audit;
using Gatehouse.Features.Settings;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Webhooks;

/// <summary>Who is calling: the key, and for a token its parsed parts, verified against the body later.</summary>
/// <param name="DeliveryId">For a signed delivery whose scheme names one: its id, which is the ingestion's idempotency key.</param>
public sealed record WebhookCaller(int KeyId, KeyScope Scope, int? RateLimitPerSecond, JwtKeyEntry? Jwt, PresentedToken? Token, IReadOnlyList<System.Net.IPNetwork>? AllowedSources,
    string? DeliveryId = null);

/// <summary>A token whose header passed and whose key was found; its signature and claims are not checked yet.</summary>
public sealed record PresentedToken(string Text, JsonElement Payload);

/// <summary>Why a request was refused; the detail (a token problem) goes to the audit log with the reason.</summary>
public readonly record struct AuthFailure(AuthFailureReason Reason, int? KeyId = null, TokenProblem Token = TokenProblem.None, string? Detail = null)
{
    public string AuditReason => Detail is not null ? $"{Reason}:{Detail}" : Token == TokenProblem.None ? Reason.ToString() : $"{Reason}:{Token}";
}

public readonly record struct WebhookAuthResult(WebhookCaller? Caller, AuthFailure? Failure)
{
    public static WebhookAuthResult Fail(AuthFailureReason reason, int? keyId = null, TokenProblem token = TokenProblem.None) =>
        new(null, new AuthFailure(reason, keyId, token));
}

/// <summary>
/// Finds the key a webhook request presents: an API key in <c>d3key</c>, or a token in <c>d3jwt</c>
/// while EnableEnhanceWebhookAuthentication is on — and then nothing else is accepted. Scope is
/// checked by the caller once the endpoint is resolved; a token's signature and claims once the body is read.
/// </summary>
public sealed partial class WebhookAuthenticator(
    GatehouseDb db, WebhookDirectory directory, SettingsStore settings, TokenVerifier tokens, AuthFailureAudit audit, ClientAddresses addresses,
    TimeProvider time, IOptions<GatehouseOptions> options, ILogger<WebhookAuthenticator> logger)
{
    private const int MaxCredentialLength = 512;

    public async Task<WebhookAuthResult> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var headers = options.Value.Webhooks;
        string? apiKey = request.Headers[headers.ApiKeyHeader];
        string? token = request.Headers[headers.JwtHeader];
        var enhanced = await settings.EnhancedAuthenticationAsync(db, cancellationToken);
        if (!string.IsNullOrEmpty(token))
        {
            return enhanced ? await tokens.IdentifyAsync(token, cancellationToken) : WebhookAuthResult.Fail(AuthFailureReason.JwtDisabled);
        }
        if (enhanced)
        {
            return WebhookAuthResult.Fail(AuthFailureReason.TokenRequired);
        }
        if (!string.IsNullOrEmpty(apiKey))
        {
            return await ByValueAsync(apiKey, WebhookSecrets.Hash, cancellationToken);
        }
        // Only a sender that can set no header puts its key in the URL: a query-token key, whose hash no header value matches.
        var queryToken = request.Query[WebhookSecrets.QueryTokenParameter].ToString();
        return string.IsNullOrEmpty(queryToken)
            ? WebhookAuthResult.Fail(AuthFailureReason.MissingCredentials)
            : await ByValueAsync(queryToken, WebhookSecrets.QueryTokenHash, cancellationToken);
    }

    private async Task<WebhookAuthResult> ByValueAsync(string value, Func<string, byte[]> hashOf, CancellationToken cancellationToken)
    {
        if (value.Length > MaxCredentialLength)
        {
            return WebhookAuthResult.Fail(AuthFailureReason.UnknownKey);
        }
        var hash = hashOf(value);
        var key = await directory.KeyAsync(db, hash, cancellationToken);
        if (key is null || !WebhookSecrets.HashesEqual(key.MatchedHash, hash))
        {
            return WebhookAuthResult.Fail(AuthFailureReason.UnknownKey);
        }
        if (key.IsPreviousValue && !(key.PreviousValidUntil > time.GetUtcNow()))
        {
            return WebhookAuthResult.Fail(AuthFailureReason.Regenerated, key.Id);
        }
        return key.Enabled
            ? new WebhookAuthResult(new WebhookCaller(key.Id, key.Scope, key.RateLimitPerSecond, null, null, key.AllowedSources), null)
            : WebhookAuthResult.Fail(AuthFailureReason.Disabled, key.Id);
    }

    /// <summary>The message a refused caller gets: the same for every reason, except the two that concern the setting.</summary>
    public string MessageFor(AuthFailureReason reason)
    {
        var headers = options.Value.Webhooks;
        return reason switch
        {
            AuthFailureReason.JwtDisabled =>
                $"JWT authentication is disabled on this Gatehouse (EnableEnhanceWebhookAuthentication is False); send an API key in the '{headers.ApiKeyHeader}' header.",
            AuthFailureReason.TokenRequired =>
                $"This Gatehouse requires a valid token in the '{headers.JwtHeader}' header or a signature its key expects: EnableEnhanceWebhookAuthentication is True, "
                + "so API keys and URL tokens are not accepted.",
            _ => $"The webhook request is not authenticated. Send valid, enabled credentials for this endpoint in the '{headers.ApiKeyHeader}' or '{headers.JwtHeader}' header, "
                 + $"sign it as its key expects, or give its URL token in ?{WebhookSecrets.QueryTokenParameter}=.",
        };
    }

    /// <summary>The precise reason goes to the audit log and the operator's log; the caller only learns that it failed.</summary>
    public void RecordFailure(HttpContext context, AuthFailure failure)
    {
        var source = addresses.Of(context)?.ToString();
        audit.Record(failure.KeyId, failure.AuditReason, source);
        LogAuthFailure(logger, failure.AuditReason, failure.KeyId, context.Request.Path, source ?? "unknown");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook authentication failed: {Reason} (key {KeyId}) on {Path} from {Source}")]
    private static partial void LogAuthFailure(ILogger logger, string reason, int? keyId, PathString path, string source);
}
