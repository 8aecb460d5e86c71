using Gatehouse.Cluster;
using Gatehouse.Core.Auth;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Intake;

/// <summary>
/// A key as the webhook path needs it, found by the hash of the presented value. When that was
/// the key's value before its last regeneration, <see cref="IsPreviousValue"/> is set and
/// <see cref="PreviousValidUntil"/> says until when it is still accepted (null: not at all).
/// </summary>
public sealed record KeyEntry(
    int Id, string Name, byte[] MatchedHash, bool Enabled, KeyScope Scope, int? RateLimitPerSecond,
    bool IsPreviousValue, DateTimeOffset? PreviousValidUntil);

public sealed record SiteEntry(int Id, string Name, SiteKind Kind);

public sealed record IntegrationEntry(int Id, string Name);

/// <summary>
/// What the webhook hot path looks up — keys by hash, sites and integrations by name — cached
/// on this node and dropped whenever they change on any node.
/// </summary>
public sealed class WebhookDirectory(ChangeFeed feed)
{
    private readonly TopicCache<string, KeyEntry?> _keys = new(feed, ChangeTopics.Keys);
    private readonly TopicCache<string, SiteEntry?> _sites = new(feed, ChangeTopics.Sites);
    private readonly TopicCache<string, IntegrationEntry?> _integrations = new(feed, ChangeTopics.Integrations);

    public ValueTask<KeyEntry?> KeyAsync(GatehouseDb db, byte[] hash, CancellationToken cancellationToken) =>
        _keys.GetAsync(Convert.ToHexString(hash), _ =>
            db.WebhookKeys.AsNoTracking().Where(k => k.SecretHash == hash || k.PreviousSecretHash == hash)
                .Select(k => new KeyEntry(k.Id, k.Name, k.SecretHash == hash ? k.SecretHash : k.PreviousSecretHash!, k.Enabled,
                    new KeyScope(k.Module, k.SiteId, k.ShareTo, k.IntegrationId, k.Intake, k.Command),
                    k.RateLimitPerSecond, k.SecretHash != hash, k.PreviousValidUntil))
                .FirstOrDefaultAsync(cancellationToken));

    public ValueTask<SiteEntry?> SiteAsync(GatehouseDb db, string name, CancellationToken cancellationToken) =>
        _sites.GetAsync(Normalize.Name(name), normalized =>
            db.Sites.AsNoTracking().Where(s => s.NormalizedName == normalized)
                .Select(s => new SiteEntry(s.Id, s.Name, s.Kind)).FirstOrDefaultAsync(cancellationToken));

    public ValueTask<IntegrationEntry?> IntegrationAsync(GatehouseDb db, string name, CancellationToken cancellationToken) =>
        _integrations.GetAsync(Normalize.Name(name), normalized =>
            db.Integrations.AsNoTracking().Where(i => i.NormalizedName == normalized)
                .Select(i => new IntegrationEntry(i.Id, i.Name)).FirstOrDefaultAsync(cancellationToken));
}
