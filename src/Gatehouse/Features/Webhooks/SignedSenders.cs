using Gatehouse.Core.Auth;
using Gatehouse.Storage;

namespace Gatehouse.Features.Webhooks;

/// <summary>
/// Vendors' signed deliveries to an intake (Standard Webhooks, GitHub, a configured HMAC): a request that carries no API key
/// or token is matched to the signed keys of the endpoint it names whose signature header it carries, and verified over its
/// exact bytes, before anything parses them.
/// </summary>
public sealed class SignedSenders(WebhookDirectory directory, TimeProvider time)
{
    /// <summary>The signed keys serving the site whose signature header the request carries.</summary>
    public async Task<IReadOnlyList<SignedKeyEntry>> CandidatesAsync(
        GatehouseDb db, IntegrationEntry integration, SiteEntry site, IntakeKind intake, IHeaderDictionary headers, CancellationToken cancellationToken)
    {
        var keys = await directory.SignedKeysAsync(db, integration.Id, intake, cancellationToken);
        return keys.Where(k => KeyScopeRules.ServesSite(k.Scope, site.Id, site.Kind) && !string.IsNullOrEmpty(headers[k.Scheme.SignatureHeader])).ToList();
    }

    /// <summary>The caller whose signature matched; else why not (naming the key when only one could have signed).</summary>
    public (WebhookCaller? Caller, AuthFailure? Failure) Verify(IReadOnlyList<SignedKeyEntry> candidates, IHeaderDictionary headers, byte[] body)
    {
        var now = time.GetUtcNow();
        var problem = SignatureProblem.Mismatch;
        foreach (var key in candidates)
        {
            IReadOnlyList<byte[]> secrets = key.PreviousSecret is { } previous && key.PreviousValidUntil > now ? [key.Secret, previous] : [key.Secret];
            var check = SignatureVerifier.Verify(key.Scheme, secrets, name => headers[name] is { Count: > 0 } value ? value.ToString() : null, body, now);
            if (check.Verified)
            {
                return key.Enabled
                    ? (new WebhookCaller(key.Id, key.Scope, key.RateLimitPerSecond, null, null, key.AllowedSources, check.DeliveryId), null)
                    : (null, new AuthFailure(AuthFailureReason.Disabled, key.Id));
            }
            problem = check.Problem;
        }
        return (null, new AuthFailure(AuthFailureReason.InvalidSignature, candidates.Count == 1 ? candidates[0].Id : null, Detail: problem.ToString()));
    }
}
