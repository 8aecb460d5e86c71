using Gatehouse.Core.Auth;
using Gatehouse.Features.Settings;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Console.Pages;

public sealed class SettingsModel(GatehouseDb db, SettingsStore settings) : ConsolePageModel
{
    public IReadOnlyList<SettingView> Settings { get; private set; } = [];

    /// <summary>Enabled keys whose senders send an API key and no token: turning on enhanced authentication refuses them all.</summary>
    public int ApiKeySenders { get; private set; }

    public string EnhanceConfirmation => $"Turn on {Gatehouse.Core.Settings.SettingsCatalog.EnableEnhanceWebhookAuthentication}? "
        + (ApiKeySenders == 0 ? "No enabled key sends an API key alone today, " : $"{Counted.Of(ApiKeySenders, "enabled API-key key", "enabled API-key keys")} will be refused from the next request on, ")
        + "and every sender must sign a token.";

    public async Task OnGetAsync()
    {
        Settings = (await SettingsApi.List(db, settings, Aborted)).Value ?? [];
        // Counted over every site: only administrators, who may change the setting, are told.
        ApiKeySenders = IsAdministrator ? await db.WebhookKeys.CountAsync(k => k.Enabled && k.Method == KeyMethod.ApiKey, Aborted) : 0;
    }
}
