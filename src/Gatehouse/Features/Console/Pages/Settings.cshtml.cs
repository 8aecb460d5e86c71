using Gatehouse.Features.Settings;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class SettingsModel(GatehouseDb db, SettingsStore settings) : ConsolePageModel
{
    public IReadOnlyList<SettingView> Settings { get; private set; } = [];

    public async Task OnGetAsync() => Settings = (await SettingsApi.List(db, settings, Aborted)).Value ?? [];
}
