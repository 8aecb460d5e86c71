using System.Text.Json.Nodes;
using Gatehouse.Core.Auth;
using Gatehouse.Core.Intake;
using Gatehouse.Features.Playbooks;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Intake;

/// <summary>
/// What processing and replaying share: a stored request drafted with the current definitions (its
/// items selected, formatted and mapped), the stored events its External IDs name, and the playbooks it may start.
/// </summary>
public sealed class IngestionDrafter(GatehouseDb db, IntakeDefinitions definitions, FormatterRunner formatters)
{
    /// <summary>Steps 1–4 for one stored request: its definitions and key options, its items selected, formatted and mapped.</summary>
    public async Task<IngestionDraft> DraftAsync(Ingestion row, CancellationToken cancellationToken)
    {
        var integration = await definitions.IntegrationAsync(db, row.IntegrationId, cancellationToken)
            ?? throw new InvalidDataException($"Integration {row.IntegrationId} of ingestion {row.Id} does not exist.");
        var site = await definitions.SiteAsync(db, row.SiteId, cancellationToken)
            ?? throw new InvalidDataException($"Site {row.SiteId} of ingestion {row.Id} does not exist.");
        var key = await definitions.KeyAsync(db, row.KeyId, cancellationToken);
        var rules = key is { RunEventAutomationRules: true } && row.Intake == IntakeKind.Event ? await definitions.RulesAsync(db, site, cancellationToken) : null;
        var input = new IngestionInput(row.Id, row.Intake, integration.Id, integration.Name, site.Id, GatehouseJson.ParseStored(row.Body),
            integration.EventIntake, integration.IncidentIntake,
            new IngestionSettings(key?.DataFormatter, key?.RunMitreTtpSearch ?? false, rules, key?.EventPlaybook));
        var selection = IngestionPlanner.Select(input);
        var formatted = key?.DataFormatter is { } formatter
            ? await formatters.FormatAsync(db, formatter, selection, new JsonObject { ["site"] = site.Name, ["integration"] = integration.Name, ["refid"] = row.Id }, cancellationToken)
            : null;
        return IngestionPlanner.Draft(selection, formatted);
    }

    /// <summary>The stored events among <paramref name="keys"/>, in one query; a replay leaves out the events of the request it replays (<paramref name="exceptOf"/>).</summary>
    public async Task<Dictionary<ExternalKey, long>> KnownAsync(HashSet<ExternalKey> keys, string? exceptOf, CancellationToken cancellationToken)
    {
        var known = new Dictionary<ExternalKey, long>();
        if (keys.Count == 0)
        {
            return known;
        }
        // In chunks: SQLite allows 32,766 parameters per statement, and one request may carry more events.
        var rows = new List<(long Id, int IntegrationId, int SiteId, string? ExternalId)>();
        foreach (var chunk in keys.Select(k => k.ExternalId).Distinct().Chunk(1000))
        {
            var found = await db.Events.AsNoTracking().Where(e => e.ExternalId != null && chunk.Contains(e.ExternalId) && (exceptOf == null || e.IngestionId != exceptOf))
                .Select(e => new { e.Id, e.IntegrationId, e.SiteId, e.ExternalId }).ToListAsync(cancellationToken);
            rows.AddRange(found.Select(e => (e.Id, e.IntegrationId, e.SiteId, e.ExternalId)));
        }
        foreach (var row in rows)
        {
            var key = new ExternalKey(row.IntegrationId, row.SiteId, row.ExternalId!);
            if (keys.Contains(key) && (!known.TryGetValue(key, out var id) || row.Id < id))
            {
                known[key] = row.Id;
            }
        }
        return known;
    }

    /// <summary>The playbooks the batch may start — the keys' and the escalation rules' — by name, any case.</summary>
    public async Task<Dictionary<string, PlaybookEntry>> PlaybooksAsync(IReadOnlyList<IngestionDraft> drafts, CancellationToken cancellationToken)
    {
        var names = drafts.Select(d => d.Input.Settings.Playbook)
            .Concat(drafts.SelectMany(d => d.Input.Settings.Rules ?? []).Select(r => r.Escalation?.Playbook))
            .OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase);
        var found = new Dictionary<string, PlaybookEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in names)
        {
            if (await definitions.PlaybookAsync(db, name, cancellationToken) is { } entry)
            {
                found[name] = entry;
            }
        }
        return found;
    }

}
