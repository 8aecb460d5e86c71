using System.Text.Json.Nodes;
using Gatehouse.Core.Auth;
using Gatehouse.Core.Commands;
using Gatehouse.Features.Auth;
using Gatehouse.Features.Commands;
using Gatehouse.Features.Keys;
using Gatehouse.Features.Settings;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class KeyModel(GatehouseDb db, KeyAccess access, KeyPresenter presenter, CurrentUser user, SettingsStore settings, TimeProvider time)
    : ConsolePageModel
{
    public KeyView? Key { get; private set; }

    public KeyFormOptions Options { get; private set; } = null!;

    /// <summary>Only the creator and the assigned user may see the value (usernames are unique).</summary>
    public bool IsOwner => Key is not null && (Key.CreatedBy == user.Username || Key.AssignedUser == user.Username);

    public JsonObject? SampleBody { get; private set; }

    public async Task OnGetAsync(int id)
    {
        Key = Show<KeyView>((await KeysApi.Get(id, db, access, presenter, Aborted)).Result);
        if (Key is null)
        {
            return;
        }
        Options = await KeyFormOptions.LoadAsync(db, user, settings, Aborted);
        SampleBody = RemoteCommandSample(Key);
    }

    /// <summary>What a sender would post to a remote-command key, built from the command's parameters.</summary>
    private JsonObject? RemoteCommandSample(KeyView key)
    {
        if (key.Command is null)
        {
            return null;
        }
        var parameters = key.Module == KeyModule.UtilityCommand
            ? Options.Commands.FirstOrDefault(c => c.Name == key.Command)?.Parameters
            : Options.Integrations.FirstOrDefault(i => i.Name == key.Integration)?.Commands.FirstOrDefault(c => c.Name == key.Command)?.Parameters;
        var site = key.Site ?? key.RequestUrls.FirstOrDefault(u => u.Site is not null)?.Site ?? Options.Sites.FirstOrDefault()?.Name;
        return CommandSampleBody.Build(parameters ?? [], key.AssignedUser ?? key.CreatedBy ?? user.Username, site, time.GetUtcNow().ToUnixTimeSeconds());
    }
}
