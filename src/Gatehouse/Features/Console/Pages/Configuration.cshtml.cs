using Gatehouse.Core.Auth;
using Gatehouse.Features.Keys;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class ConfigurationModel(GatehouseDb db, KeyAccess access, KeyPresenter presenter) : ConsolePageModel
{
    public static readonly (string Tab, KeyModule Module, string Label)[] Tabs =
    [
        ("ingestion", KeyModule.DataIngestion, "Data Ingestion"),
        ("integrations", KeyModule.Integration, "Integrations"),
        ("utility", KeyModule.UtilityCommand, "Utility Command"),
    ];

    public KeyModule Module { get; private set; }

    public IReadOnlyList<KeyView> Keys { get; private set; } = [];

    public async Task OnGetAsync(string? tab)
    {
        Module = Tabs.FirstOrDefault(t => t.Tab == tab, Tabs[0]).Module;
        var keys = (await KeysApi.List(db, access, presenter, Aborted)).Value ?? [];
        Keys = keys.Where(k => k.Module == Module).OrderBy(k => k.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }

    public static string TabOf(KeyModule module) => Tabs.First(t => t.Module == module).Tab;
}

/// <summary>How keys are described in the console.</summary>
public static class KeyText
{
    public static string Method(KeyMethod method) => method switch
    {
        KeyMethod.Jwt => "JWT",
        KeyMethod.StandardWebhooks => "Standard Webhooks signature",
        KeyMethod.GitHub => "GitHub-style signature",
        KeyMethod.Hmac => "HMAC signature",
        KeyMethod.QueryToken => "Token in the URL",
        _ => "API key",
    };

    public static string Scope(KeyView key) => key.ShareTo switch
    {
        ShareScope.AllInternalSites => "Shared to all internal sites",
        ShareScope.AllClientSites => "Shared to all client sites",
        _ => key.Site ?? "No site (utility command)",
    };

    public static string Target(KeyView key) => key switch
    {
        { Module: KeyModule.UtilityCommand } => key.Command ?? "",
        { Intake: IntakeKind.Event } => $"{key.Integration} · Fetch Event",
        { Intake: IntakeKind.Incident } => $"{key.Integration} · Fetch Incident",
        _ => $"{key.Integration} · {key.Command}",
    };
}
