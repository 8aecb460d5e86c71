using Gatehouse.Core.Attack;

namespace Gatehouse.Core.Tests.Attack;

/// <summary>MITRE ATT&amp;CK® Enterprise 18.1 from the shared data, loaded once for the tests that read it.</summary>
internal static class MitreBundle
{
    public static readonly Lazy<AttackCatalog> Catalog = new(() =>
    {
        using var stream = File.OpenRead(SharedData.Path("attack/enterprise-attack-18.1.json"));
        return AttackCatalog.Load(stream);
    });
}
