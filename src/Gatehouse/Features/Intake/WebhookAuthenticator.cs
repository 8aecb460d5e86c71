using Gatehouse.Core.Auth;
using Gatehouse.Features.Audit;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Intake;

public readonly record struct WebhookAuthResult(KeyEntry? Key, AuthFailureReason? Failure)
{
    public static WebhookAuthResult Fail(AuthFailureReason reason, KeyEntry? key = null) => new(key, reason);
}

/// <summary>Finds the key a webhook request presents. Scope is checked by the caller, once the endpoint is resolved.</summary>
public sealed partial class WebhookAuthenticator(
    GatehouseDb db, WebhookDirectory directory, AuthFailureAudit audit, TimeProvider time,
    IOptions<GatehouseOptions> options, ILogger<WebhookAuthenticator> logger)
{
    private const int MaxCredentialLength = 512;

    public async Task<WebhookAuthResult> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var headers = options.Value.Webhooks;
        string? value = request.Headers[headers.ApiKeyHeader];
        if (string.IsNullOrEmpty(value))
        {
            return WebhookAuthResult.Fail(string.IsNullOrEmpty(request.Headers[headers.JwtHeader])
                ? AuthFailureReason.MissingCredentials
                : AuthFailureReason.JwtDisabled);
        }
        if (value.Length > MaxCredentialLength)
        {
            return WebhookAuthResult.Fail(AuthFailureReason.UnknownKey);
        }
        var hash = WebhookSecrets.Hash(value);
        var key = await directory.KeyAsync(db, hash, cancellationToken);
        if (key is null || !WebhookSecrets.HashesEqual(key.MatchedHash, hash))
        {
            return WebhookAuthResult.Fail(AuthFailureReason.UnknownKey);
        }
        if (key.IsPreviousValue && !(key.PreviousValidUntil > time.GetUtcNow()))
        {
            return WebhookAuthResult.Fail(AuthFailureReason.Regenerated, key);
        }
        return key.Enabled ? new WebhookAuthResult(key, null) : WebhookAuthResult.Fail(AuthFailureReason.Disabled, key);
    }

    /// <summary>The precise reason goes to the operator's log; the caller only learns that it failed.</summary>
    public void RecordFailure(HttpContext context, AuthFailureReason reason, KeyEntry? key)
    {
        var source = context.Connection.RemoteIpAddress?.ToString();
        audit.Record(key?.Id, reason, source);
        LogAuthFailure(logger, reason, key?.Id, context.Request.Path, source ?? "unknown");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook authentication failed: {Reason} (key {KeyId}) on {Path} from {Source}")]
    private static partial void LogAuthFailure(ILogger logger, AuthFailureReason reason, int? keyId, PathString path, string source);
}
