using System.Text;
using Gatehouse.Cluster;
using Gatehouse.Features.Keys;
using Gatehouse.Infrastructure;
using Gatehouse.Core.Auth;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Webhooks;

/// <summary>
/// A key as the webhook path needs it, found by the hash of the presented value. When that was
/// the key's value before its last regeneration, <see cref="IsPreviousValue"/> is set and
/// <see cref="PreviousValidUntil"/> says until when it is still accepted (null: not at all).
/// </summary>
public sealed record KeyEntry(
    int Id, string Name, byte[] MatchedHash, bool Enabled, KeyScope Scope, int? RateLimitPerSecond,
    bool IsPreviousValue, DateTimeOffset? PreviousValidUntil, string? AllowedSourcesJson)
{
    public IReadOnlyList<System.Net.IPNetwork>? AllowedSources { get; } = Keys.KeySources.Ranges(AllowedSourcesJson);
}

/// <summary>A JWT key as verification needs it, with its secrets decrypted (they sign, so they must be at hand).</summary>
public sealed record JwtKeyEntry(
    int Id, string Name, bool Enabled, KeyScope Scope, int? RateLimitPerSecond,
    byte[] Secret, byte[]? PreviousSecret, DateTimeOffset? PreviousValidUntil,
    IReadOnlyList<string> PayloadFields, int MaxTokenAgeSeconds, bool RejectReplayedTokens,
    int CreatedByUserId, int? AssignedUserId, bool VisibleToAll, IReadOnlyList<System.Net.IPNetwork>? AllowedSources);

/// <summary>
/// A signed key of an intake, with its secrets decrypted (they verify, so they must be at hand); a secret its scheme cannot
/// use (a Standard Webhooks secret that is not base64, or too short) is null, and verifies nothing.
/// </summary>
public sealed record SignedKeyEntry(
    int Id, string Name, bool Enabled, KeyScope Scope, int? RateLimitPerSecond, SignatureScheme Scheme,
    byte[]? Secret, byte[]? PreviousSecret, DateTimeOffset? PreviousValidUntil, IReadOnlyList<System.Net.IPNetwork>? AllowedSources);

public sealed record UserEntry(int Id, string Username, bool Enabled);

public sealed record SiteEntry(int Id, string Name, SiteKind Kind);

public sealed record IntegrationEntry(int Id, string Name);

/// <summary>
/// What the webhook hot path looks up — keys by hash, sites and integrations by name — cached
/// on this node and dropped whenever they change on any node.
/// </summary>
public sealed class WebhookDirectory(ChangeFeed feed, SecretProtector protector)
{
    private readonly TopicCache<string, JwtKeyEntry?> _jwtKeys = new(feed, ChangeTopics.Keys);
    private readonly TopicCache<string, IReadOnlyList<SignedKeyEntry>> _signedKeys = new(feed, ChangeTopics.Keys);
    private readonly TopicCache<string, UserEntry?> _users = new(feed, ChangeTopics.Users);
    private readonly TopicCache<string, KeyEntry?> _keys = new(feed, ChangeTopics.Keys);
    private readonly TopicCache<string, SiteEntry?> _sites = new(feed, ChangeTopics.Sites);
    private readonly TopicCache<string, IntegrationEntry?> _integrations = new(feed, ChangeTopics.Integrations);

    public ValueTask<KeyEntry?> KeyAsync(GatehouseDb db, byte[] hash, CancellationToken cancellationToken) =>
        _keys.GetAsync(Convert.ToHexString(hash), _ =>
            db.WebhookKeys.AsNoTracking().Where(k => k.SecretHash == hash || k.PreviousSecretHash == hash)
                .Select(k => new KeyEntry(k.Id, k.Name, k.SecretHash == hash ? k.SecretHash : k.PreviousSecretHash!, k.Enabled,
                    new KeyScope(k.Module, k.SiteId, k.ShareTo, k.IntegrationId, k.Intake, k.Command),
                    k.RateLimitPerSecond, k.SecretHash != hash, k.PreviousValidUntil, k.AllowedSourcesJson))
                .FirstOrDefaultAsync(cancellationToken));

    public ValueTask<JwtKeyEntry?> JwtKeyAsync(GatehouseDb db, string kid, CancellationToken cancellationToken) =>
        _jwtKeys.GetAsync(kid, async _ =>
        {
            var key = await db.WebhookKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Kid == kid && k.Method == KeyMethod.Jwt, cancellationToken);
            if (key is null)
            {
                return null;
            }
            return new JwtKeyEntry(
                key.Id, key.Name, key.Enabled, key.Scope, key.RateLimitPerSecond,
                Encoding.UTF8.GetBytes(protector.Unprotect(key.SecretProtected)),
                key.PreviousSecretProtected is null ? null : Encoding.UTF8.GetBytes(protector.Unprotect(key.PreviousSecretProtected)),
                key.PreviousValidUntil,
                JwtKeys.PayloadFields(key), key.MaxTokenAgeSeconds, key.RejectReplayedTokens,
                key.CreatedByUserId, key.AssignedUserId, key.VisibleToAll, Keys.KeySources.Ranges(key.AllowedSourcesJson));
        });

    /// <summary>The signed keys of an intake, whatever site they serve (the caller checks that).</summary>
    public ValueTask<IReadOnlyList<SignedKeyEntry>> SignedKeysAsync(GatehouseDb db, int integrationId, IntakeKind intake, CancellationToken cancellationToken) =>
        _signedKeys.GetAsync($"{integrationId}:{intake}", async _ =>
        {
            var signed = new[] { KeyMethod.StandardWebhooks, KeyMethod.GitHub, KeyMethod.Hmac };
            var keys = await db.WebhookKeys.AsNoTracking()
                .Where(k => k.IntegrationId == integrationId && k.Intake == intake && k.Command == null && signed.Contains(k.Method))
                .OrderBy(k => k.Id).ToListAsync(cancellationToken);
            return (IReadOnlyList<SignedKeyEntry>)keys.Select(key => new SignedKeyEntry(
                key.Id, key.Name, key.Enabled, key.Scope, key.RateLimitPerSecond, SignedKeys.Scheme(key)!,
                SignatureVerifier.KeyBytes(protector.Unprotect(key.SecretProtected), key.Method == KeyMethod.StandardWebhooks),
                key.PreviousSecretProtected is null ? null : SignatureVerifier.KeyBytes(protector.Unprotect(key.PreviousSecretProtected), key.Method == KeyMethod.StandardWebhooks),
                key.PreviousValidUntil, Keys.KeySources.Ranges(key.AllowedSourcesJson))).ToList();
        });

    public ValueTask<UserEntry?> UserAsync(GatehouseDb db, string username, CancellationToken cancellationToken) =>
        _users.GetAsync(Normalize.Name(username), normalized =>
            db.Users.AsNoTracking().Where(u => u.NormalizedUsername == normalized)
                .Select(u => new UserEntry(u.Id, u.Username, u.Enabled)).FirstOrDefaultAsync(cancellationToken));

    public ValueTask<SiteEntry?> SiteAsync(GatehouseDb db, string name, CancellationToken cancellationToken) =>
        _sites.GetAsync(Normalize.Name(name), normalized =>
            db.Sites.AsNoTracking().Where(s => s.NormalizedName == normalized)
                .Select(s => new SiteEntry(s.Id, s.Name, s.Kind)).FirstOrDefaultAsync(cancellationToken));

    public ValueTask<IntegrationEntry?> IntegrationAsync(GatehouseDb db, string name, CancellationToken cancellationToken) =>
        _integrations.GetAsync(Normalize.Name(name), normalized =>
            db.Integrations.AsNoTracking().Where(i => i.NormalizedName == normalized)
                .Select(i => new IntegrationEntry(i.Id, i.Name)).FirstOrDefaultAsync(cancellationToken));
}
