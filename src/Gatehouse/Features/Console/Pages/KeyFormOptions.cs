using Gatehouse.Features.Auth;
using Gatehouse.Features.Commands;
using Gatehouse.Features.Integrations;
using Gatehouse.Features.Playbooks;
using Gatehouse.Features.Settings;
using Gatehouse.Features.Sites;
using Gatehouse.Features.Users;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

/// <summary>The choices a key form offers, each read through the API handler that serves it.</summary>
public sealed record KeyFormOptions(
    IReadOnlyList<SiteView> Sites,
    IReadOnlyList<IntegrationView> Integrations,
    IReadOnlyList<CommandView> Commands,
    IReadOnlyList<PlaybookView> Playbooks,
    IReadOnlyList<string> Usernames,
    bool EnhancedAuthentication)
{
    public IEnumerable<CommandView> Formatters => Commands.Where(c => c.Features.Contains(CommandsApi.DataFormatterFeature));

    public static async Task<KeyFormOptions> LoadAsync(
        GatehouseDb db, CurrentUser user, SettingsStore settings, CancellationToken cancellationToken) =>
        new(
            (await SitesApi.List(db, user, cancellationToken)).Value ?? [],
            (await IntegrationsApi.List(db, cancellationToken)).Value ?? [],
            (await CommandsApi.List(db, cancellationToken)).Value ?? [],
            (await PlaybooksApi.List(db, cancellationToken)).Value ?? [],
            // Only administrators may list users; an analyst types the username to assign.
            user.IsAdministrator ? ((await UsersApi.List(UserFilter.All, db, cancellationToken)).Value ?? []).Where(u => u.Enabled).Select(u => u.Username).ToList() : [],
            await settings.EnhancedAuthenticationAsync(db, cancellationToken));
}
