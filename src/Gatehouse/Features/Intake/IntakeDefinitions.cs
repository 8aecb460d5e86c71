using Gatehouse.Cluster;
using Gatehouse.Core.Auth;
using Gatehouse.Core.Intake;
using Gatehouse.Core.Rules;
using Gatehouse.Features.Integrations;
using Gatehouse.Features.Playbooks;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;
using Gatehouse.Features.Webhooks;

namespace Gatehouse.Features.Intake;

/// <summary>An integration's intake definitions, compiled once per change of the integration.</summary>
public sealed record CompiledIntegration(int Id, string Name, CompiledIntake EventIntake, CompiledIntake? IncidentIntake);

/// <summary>What processing needs to know about a key: its intake options.</summary>
public sealed record KeyIntakeOptions(string? DataFormatter, string? EventPlaybook, bool RunMitreTtpSearch, bool RunEventAutomationRules);

/// <summary>
/// The definitions processing plans with — integrations, key options, sites, automation rules and
/// playbooks — read once and cached on this node until their topic changes on any node.
/// </summary>
public sealed class IntakeDefinitions(ChangeFeed feed, PlaybookLibrary library)
{
    private readonly TopicCache<int, CompiledIntegration?> _integrations = new(feed, ChangeTopics.Integrations);
    private readonly TopicCache<int, KeyIntakeOptions?> _keys = new(feed, ChangeTopics.Keys);
    private readonly TopicCache<int, SiteEntry?> _sites = new(feed, ChangeTopics.Sites);
    private readonly TopicCache<int, IReadOnlyList<CompiledRule>> _rules = new(feed, ChangeTopics.Rules, ChangeTopics.Sites);
    private readonly TopicCache<string, PlaybookEntry?> _playbooks = new(feed, ChangeTopics.Playbooks);

    public ValueTask<CompiledIntegration?> IntegrationAsync(GatehouseDb db, int id, CancellationToken cancellationToken) =>
        _integrations.GetAsync(id, async _ =>
        {
            var row = await db.Integrations.AsNoTracking().Where(i => i.Id == id)
                .Select(i => new { i.Name, i.EventIntakeJson, i.IncidentIntakeJson }).FirstOrDefaultAsync(cancellationToken);
            return row is null ? null : new CompiledIntegration(id, row.Name,
                CompiledIntake.CompileValid(IntakeJson.Deserialize(row.EventIntakeJson), FieldCatalog.Event),
                row.IncidentIntakeJson is null ? null : CompiledIntake.CompileValid(IntakeJson.Deserialize(row.IncidentIntakeJson), FieldCatalog.Incident));
        });

    public ValueTask<KeyIntakeOptions?> KeyAsync(GatehouseDb db, int id, CancellationToken cancellationToken) =>
        _keys.GetAsync(id, _ => db.WebhookKeys.AsNoTracking().Where(k => k.Id == id)
            .Select(k => new KeyIntakeOptions(k.DataFormatter, k.EventPlaybook, k.RunMitreTtpSearch, k.RunEventAutomationRules))
            .FirstOrDefaultAsync(cancellationToken));

    public ValueTask<SiteEntry?> SiteAsync(GatehouseDb db, int id, CancellationToken cancellationToken) =>
        _sites.GetAsync(id, _ => db.Sites.AsNoTracking().Where(s => s.Id == id)
            .Select(s => new SiteEntry(s.Id, s.Name, s.Kind)).FirstOrDefaultAsync(cancellationToken));

    /// <summary>The enabled rules that apply on the site, in order: its own and the cross-internal-site ones.</summary>
    public ValueTask<IReadOnlyList<CompiledRule>> RulesAsync(GatehouseDb db, SiteEntry site, CancellationToken cancellationToken) =>
        _rules.GetAsync(site.Id, _ => Rules.AutomationRulesApi.ForSiteAsync(db, site.Id, site.Kind == SiteKind.Internal, cancellationToken));

    public ValueTask<PlaybookEntry?> PlaybookAsync(GatehouseDb db, string name, CancellationToken cancellationToken) =>
        _playbooks.GetAsync(Normalize.Name(name), _ => library.FindAsync(db, name, cancellationToken));
}
