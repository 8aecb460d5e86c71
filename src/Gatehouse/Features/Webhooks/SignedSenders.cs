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

    /// <summary>
    /// The caller whose signature matched: of the keys it verifies for, the first enabled one whose allow-list admits the source;
    /// else why not (naming the key when only one could have signed, or the one whose signature matched).
    /// </summary>
    public (WebhookCaller? Caller, AuthFailure? Failure) Verify(IReadOnlyList<SignedKeyEntry> candidates, IHeaderDictionary headers, byte[] body, System.Net.IPAddress? source)
    {
        var now = time.GetUtcNow();
        var problem = SignatureProblem.Mismatch;
        AuthFailure? refusedMatch = null;
        foreach (var key in candidates)
        {
            var secrets = new[] { key.Secret, key.PreviousValidUntil > now ? key.PreviousSecret : null }.OfType<byte[]>().ToList();
            var check = secrets.Count == 0 ? new SignatureCheck(SignatureProblem.Mismatch)
                : SignatureVerifier.Verify(key.Scheme, secrets, name => headers[name] is { Count: > 0 } value ? value.ToString() : null, body, now);
            if (!check.Verified)
            {
                problem = check.Problem;
                continue;
            }
            if (!key.Enabled)
            {
                refusedMatch ??= new AuthFailure(AuthFailureReason.Disabled, key.Id);
            }
            else if (!SourceAllowList.Allows(key.AllowedSources, source))
            {
                refusedMatch ??= new AuthFailure(AuthFailureReason.SourceNotAllowed, key.Id);
            }
            else
            {
                return (new WebhookCaller(key.Id, key.Scope, key.RateLimitPerSecond, null, null, key.AllowedSources, check.DeliveryId), null);
            }
        }
        return (null, refusedMatch ?? new AuthFailure(AuthFailureReason.InvalidSignature, candidates.Count == 1 ? candidates[0].Id : null, Detail: problem.ToString()));
    }
}
