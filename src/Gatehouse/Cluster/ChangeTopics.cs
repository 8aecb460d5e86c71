using Gatehouse.Storage;

namespace Gatehouse.Cluster;

/// <summary>What a node may cache, by topic, and which stored types belong to each.</summary>
public static class ChangeTopics
{
    public const string Keys = "keys";
    public const string Sites = "sites";
    public const string Integrations = "integrations";
    public const string Settings = "settings";
    public const string Users = "users";
    public const string Commands = "commands";
    public const string Rules = "rules";
    public const string Playbooks = "playbooks";

    public static readonly IReadOnlyList<string> All = [Keys, Sites, Integrations, Settings, Users, Commands, Rules, Playbooks];

    public static string? For(Type entityType) => entityType.Name switch
    {
        nameof(WebhookKey) => Keys,
        nameof(Site) => Sites,
        nameof(Integration) => Integrations,
        nameof(Setting) => Settings,
        nameof(User) or nameof(UserSite) => Users,
        nameof(CustomCommand) => Commands,
        nameof(AutomationRule) => Rules,
        nameof(Playbook) or nameof(PlaybookVersion) => Playbooks,
        nameof(IntegrationConnection) => Integrations,
        _ => null,
    };
}
