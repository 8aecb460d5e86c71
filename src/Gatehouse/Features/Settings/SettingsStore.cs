using System.Text.Json.Nodes;
using Gatehouse.Cluster;
using Gatehouse.Core.Settings;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Settings;

public sealed record SettingValue(JsonNode Value, bool IsDefault, DateTimeOffset? UpdatedAt);

/// <summary>Settings as this node sees them: cached, and refreshed within a second of a change on any node.</summary>
public sealed class SettingsStore(ChangeFeed feed)
{
    private readonly TopicCache<string, SettingValue> _values = new(feed, ChangeTopics.Settings);

    /// <summary>EnableEnhanceWebhookAuthentication: JWT keys work, and every webhook request needs a valid token.</summary>
    public async ValueTask<bool> EnhancedAuthenticationAsync(GatehouseDb db, CancellationToken cancellationToken)
    {
        var definition = SettingsCatalog.Find(SettingsCatalog.EnableEnhanceWebhookAuthentication)!;
        var value = await GetAsync(db, definition, cancellationToken);
        return SettingsCatalog.NormalizeBoolean(value.Value)?.GetValue<bool>() ?? false;
    }

    public ValueTask<SettingValue> GetAsync(GatehouseDb db, SettingDefinition definition, CancellationToken cancellationToken) =>
        _values.GetAsync(definition.Name, async name =>
        {
            var stored = await db.Settings.AsNoTracking().FirstOrDefaultAsync(s => s.Name == name, cancellationToken);
            return stored is null
                ? new SettingValue(definition.Default.DeepClone(), true, null)
                : new SettingValue(GatehouseJson.ParseStored(stored.ValueJson)!, false, stored.UpdatedAt);
        });
}
