using Gatehouse.Core.Auth;
using Gatehouse.Features.Auth;
using Gatehouse.Features.Keys;
using Gatehouse.Features.Settings;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class NewKeyModel(GatehouseDb db, CurrentUser user, SettingsStore settings) : ConsolePageModel
{
    public KeyModule Module { get; private set; }

    public KeyFormOptions Options { get; private set; } = null!;

    public string ModuleLabel => ConfigurationModel.Tabs.First(t => t.Module == Module).Label;

    /// <summary>Remote-command keys bind Timestamp, Site and Username unless changed; intake keys start empty.</summary>
    public IReadOnlyList<string> DefaultPayloadFields => Module == KeyModule.DataIngestion ? [] : JwtKeys.CommandDefaults;

    public async Task OnGetAsync(KeyModule? module)
    {
        Module = module ?? KeyModule.DataIngestion;
        Options = await KeyFormOptions.LoadAsync(db, user, settings, Aborted);
    }
}
