using System.Text;
using System.Text.Json;
using Gatehouse.Core.Auth;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gatehouse.Features.Webhooks;

/// <summary>
/// Verifies webhook tokens: HS256 only (pinned), the key chosen by <c>kid</c>, the signature
/// checked by Microsoft.IdentityModel, then Gatehouse's own claims — time, Timestamp window,
/// the binding of payload fields to the body, Site, Username and one-time use.
/// </summary>
public sealed class TokenVerifier(GatehouseDb db, WebhookDirectory directory, TimeProvider time)
{
    private static readonly JsonWebTokenHandler Handler = new();
    private static readonly JsonDocumentOptions SmallDocument = new() { MaxDepth = 32 };

    /// <summary>Before the body is read: the token's shape, its header and the key its kid names.</summary>
    public async Task<WebhookAuthResult> IdentifyAsync(string token, CancellationToken cancellationToken)
    {
        if (token.Length > JwtRules.MaxTokenLength)
        {
            return WebhookAuthResult.Fail(AuthFailureReason.InvalidToken, token: TokenProblem.TooLarge);
        }
        var parts = token.Split('.');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0)
            || Decode(parts[0]) is not { } header || Decode(parts[1]) is not { } payload || payload.ValueKind != JsonValueKind.Object)
        {
            return WebhookAuthResult.Fail(AuthFailureReason.InvalidToken, token: TokenProblem.Malformed);
        }
        var headerProblem = JwtRules.CheckHeader(header, out var kid);
        if (headerProblem != TokenProblem.None)
        {
            return WebhookAuthResult.Fail(AuthFailureReason.InvalidToken, token: headerProblem);
        }
        var key = await directory.JwtKeyAsync(db, kid, cancellationToken);
        if (key is null)
        {
            return WebhookAuthResult.Fail(AuthFailureReason.InvalidToken, token: TokenProblem.UnknownKid);
        }
        // The signature needs no body: checked here, a forged token is a 401 before it can spend the
        // key's rate limit or learn from a 404 which sites, integrations and commands exist.
        if (await SignatureProblemAsync(key, token) is { } signatureFailure)
        {
            return new WebhookAuthResult(null, signatureFailure);
        }
        if (!key.Enabled)
        {
            return WebhookAuthResult.Fail(AuthFailureReason.Disabled, key.Id);
        }
        return new WebhookAuthResult(new WebhookCaller(key.Id, key.Scope, key.RateLimitPerSecond, key, new PresentedToken(token, payload), key.AllowedSources), null);
    }

    /// <summary>
    /// With the body: no failure when the token is good for this request, else why not. A one-time
    /// token comes back as the row to store with the request's own work (in the same commit), so two
    /// concurrent uses cannot both succeed.
    /// </summary>
    public async Task<(AuthFailure? Failure, UsedToken? Spent)> VerifyAsync(WebhookCaller caller, byte[] body, SiteEntry site, CancellationToken cancellationToken)
    {
        var key = caller.Jwt!;
        var token = caller.Token!;
        var now = time.GetUtcNow();
        AuthFailure Fail(TokenProblem problem) => new(AuthFailureReason.InvalidToken, key.Id, problem);

        var payload = token.Payload;
        var problem = JwtRules.CheckTimeClaims(payload, now);
        if (problem == TokenProblem.None && key.PayloadFields.Contains("Timestamp"))
        {
            problem = JwtRules.CheckTimestamp(payload, now, key.MaxTokenAgeSeconds);
        }
        if (problem == TokenProblem.None)
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 256 });
            problem = JwtRules.CheckBinding(payload, document.RootElement, key.PayloadFields);
        }
        if (problem == TokenProblem.None && payload.TryGetProperty("Site", out var claimedSite)
            && (claimedSite.ValueKind != JsonValueKind.String || Normalize.Name(claimedSite.GetString()!) != Normalize.Name(site.Name)))
        {
            problem = TokenProblem.SiteMismatch;
        }
        if (problem == TokenProblem.None && payload.TryGetProperty("Username", out var claimedUser)
            && !await UserMayUseAsync(key, claimedUser, cancellationToken))
        {
            problem = TokenProblem.UserNotAllowed;
        }
        UsedToken? spent = null;
        if (problem == TokenProblem.None && key.RejectReplayedTokens)
        {
            spent = await SpendOnceAsync(key, token, now, cancellationToken);
            problem = spent is null ? TokenProblem.Replayed : TokenProblem.None;
        }
        return problem == TokenProblem.None ? (null, spent) : (Fail(problem), null);
    }

    /// <summary>Null when the token is signed with the key's secret, or with its previous one within the grace period.</summary>
    private async Task<AuthFailure?> SignatureProblemAsync(JwtKeyEntry key, string token)
    {
        if (await SignedWithAsync(token, key.Secret))
        {
            return null;
        }
        if (key.PreviousSecret is null || !await SignedWithAsync(token, key.PreviousSecret))
        {
            return new AuthFailure(AuthFailureReason.InvalidToken, key.Id, TokenProblem.BadSignature);
        }
        return key.PreviousValidUntil > time.GetUtcNow() ? null : new AuthFailure(AuthFailureReason.Regenerated, key.Id);
    }

    /// <summary>Whether a token was accepted before (after a save failed on the one-time constraint).</summary>
    public Task<bool> WasUsedAsync(WebhookCaller caller, CancellationToken cancellationToken)
    {
        var hash = WebhookSecrets.Hash(JwtRules.ReplayIdentity(caller.Token!.Text));
        return db.UsedTokens.AnyAsync(u => u.KeyId == caller.KeyId && u.TokenHash == hash, cancellationToken);
    }

    /// <summary>
    /// Validation parameters per secret (the cached key entry's array), so the signing key — and the
    /// signature provider Microsoft.IdentityModel caches per key — is made once, not per request.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<byte[], TokenValidationParameters> ParametersBySecret = new();

    private static async Task<bool> SignedWithAsync(string token, byte[] secret)
    {
        var parameters = ParametersBySecret.GetValue(secret, key => new TokenValidationParameters
        {
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            IssuerSigningKey = new SymmetricSecurityKey(key),
            TryAllIssuerSigningKeys = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = false,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
        });
        var result = await Handler.ValidateTokenAsync(token, parameters);
        return result.IsValid;
    }

    /// <summary>The creator, the assigned user, or — for a key visible to all — any enabled user.</summary>
    private async Task<bool> UserMayUseAsync(JwtKeyEntry key, JsonElement claimed, CancellationToken cancellationToken)
    {
        if (claimed.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(claimed.GetString()))
        {
            return false;
        }
        var user = await directory.UserAsync(db, claimed.GetString()!, cancellationToken);
        return user is { Enabled: true } && new KeyHolders(key.CreatedByUserId, key.AssignedUserId, key.VisibleToAll).Names(user.Id);
    }

    /// <summary>
    /// The row that records the token so every node refuses it again, or null when it was used
    /// before; the caller saves the row with the request's work, and the primary key makes two
    /// concurrent uses fail one of them.
    /// </summary>
    private async Task<UsedToken?> SpendOnceAsync(JwtKeyEntry key, PresentedToken token, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var hash = WebhookSecrets.Hash(JwtRules.ReplayIdentity(token.Text));
        if (await db.UsedTokens.AnyAsync(u => u.KeyId == key.Id && u.TokenHash == hash, cancellationToken))
        {
            return null;
        }
        return new UsedToken { KeyId = key.Id, TokenHash = hash, ExpiresAt = RememberUntil(key, token.Payload, now) };
    }

    /// <summary>Until the token could no longer pass the age check (or its exp); a token with neither is remembered for good.</summary>
    private static DateTimeOffset RememberUntil(JwtKeyEntry key, JsonElement payload, DateTimeOffset now)
    {
        var skew = JwtRules.ClockSkew;
        if (key.MaxTokenAgeSeconds > 0 && key.PayloadFields.Contains("Timestamp")
            && JwtRules.TimestampSeconds(payload) is { } seconds)
        {
            return DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)).AddSeconds(key.MaxTokenAgeSeconds) + skew;
        }
        if (payload.TryGetProperty("exp", out var exp) && exp.ValueKind == JsonValueKind.Number && exp.TryGetDouble(out var expires) && expires < 253402300799)
        {
            return DateTimeOffset.FromUnixTimeMilliseconds((long)(expires * 1000)) + skew;
        }
        return now.AddYears(100);
    }

    private static JsonElement? Decode(string segment)
    {
        try
        {
            var bytes = Base64UrlEncoder.DecodeBytes(segment);
            using var document = JsonDocument.Parse(bytes, SmallDocument);
            return document.RootElement.Clone();
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }
}
