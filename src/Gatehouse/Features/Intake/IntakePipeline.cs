using System.Text.Json.Nodes;
using Gatehouse.Core.Attack;
using Gatehouse.Core.Auth;
using Gatehouse.Core.Rules;
using Gatehouse.Core.Intake;
using Gatehouse.Core.Scripting;
using Gatehouse.Features.Commands;
using Gatehouse.Features.Integrations;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Intake;

/// <summary>
/// The intake pipeline (SPEC §5) for one stored request: select the items, run the key's data
/// formatter on each event, map the fields, deduplicate by External ID, and add what is new to the
/// unit of work. A failure of one event is recorded for that event and does not stop the others.
/// </summary>
public sealed class IntakePipeline(
    GatehouseDb db, CommandCatalog catalog, Infrastructure.Sandbox.SandboxPool sandbox, Attack.AttackContent attack, Playbooks.PlaybookLibrary playbooks, Playbooks.PlaybookTriggers triggers, TimeProvider time,
    Microsoft.Extensions.Options.IOptions<GatehouseOptions> gatehouseOptions)
{
    /// <summary>Formatter time this ingestion has used so far.</summary>
    private TimeSpan _formatterTime;

    private bool _runTtpSearch;
    private Playbooks.PlaybookEntry? _playbook;
    private bool _formatterMissing;
    private IReadOnlyList<CompiledRule>? _rules;
    private JsonObject _step = [];
    private Dictionary<string, (Event Event, string Label)> _newByExternalId = new(StringComparer.Ordinal);

    /// <summary>
    /// Runs the pipeline on one ingestion. <paramref name="newEvents"/> is shared by the ingestions
    /// saved in one transaction, so a duplicate of an event not yet saved is still recognised.
    /// </summary>
    public async Task<IngestionLog> RunAsync(Ingestion ingestion, Dictionary<string, (Event Event, string Label)>? newEvents, CancellationToken cancellationToken)
    {
        _newByExternalId = newEvents ?? new(StringComparer.Ordinal);
        var integration = ingestion.Integration!;
        var log = new IngestionLog();
        var body = GatehouseJson.ParseStored(ingestion.Body);
        var eventIntake = CompiledIntake.CompileValid(IntakeJson.Deserialize(integration.EventIntakeJson), FieldCatalog.Event);
        var formatter = await FormatterAsync(ingestion, log, cancellationToken);
        if (ingestion.Intake == IntakeKind.Event)
        {
            foreach (var item in IntakeExtractor.SelectEvents(body, eventIntake, log.Errors))
            {
                log.RawData.Add(item.Raw.DeepClone());
                if (await FormatAsync(item, formatter, ingestion, log, cancellationToken) is { } formatted)
                {
                    var mapped = eventIntake.Fields.Apply(formatted);
                    log.Output.Add(new JsonObject { ["item"] = item.Label, ["fields"] = mapped.ToJson() });
                    await EventForAsync(ingestion, new ExtractedEvent(item.Label, formatted, mapped), log, cancellationToken);
                }
            }
            return log;
        }
        if (integration.IncidentIntakeJson is null)
        {
            log.Errors.Add(new ExtractionError("body", $"The integration '{integration.Name}' has no incident intake definition."));
            return log;
        }
        var incidentIntake = CompiledIntake.CompileValid(IntakeJson.Deserialize(integration.IncidentIntakeJson), FieldCatalog.Incident);
        foreach (var selected in IntakeExtractor.SelectIncidents(body, incidentIntake, log.Errors))
        {
            log.RawData.Add(selected.Raw.DeepClone());
            var fields = incidentIntake.Fields.Apply(selected.Raw);
            var incident = NewIncident(ingestion, new ExtractedIncident(selected.Label, selected.Raw, fields, []), log.Errors);
            var output = new JsonObject { ["item"] = selected.Label, ["fields"] = fields.ToJson(), ["events"] = new JsonArray() };
            foreach (var item in selected.Events)
            {
                if (await FormatAsync(item, formatter, ingestion, log, cancellationToken) is not { } formatted)
                {
                    continue;
                }
                var mapped = eventIntake.Fields.Apply(formatted);
                output["events"]!.AsArray().Add(new JsonObject { ["item"] = item.Label, ["fields"] = mapped.ToJson() });
                var evt = await EventForAsync(ingestion, new ExtractedEvent(item.Label, formatted, mapped), log, cancellationToken);
                Link(incident, evt);
            }
            log.Output.Add(output);
            db.Incidents.Add(incident);
            if (_playbook is { Kind: Core.Playbooks.PlaybookKind.Incident })
            {
                var (run, _) = await triggers.QueueAsync(db, _playbook.Name, null, incident, ingestion.SiteId, $"incident intake {ingestion.Id}", cancellationToken);
                output["playbookRun"] = run?.Id;
            }
        }
        return log;
    }

    /// <summary>Links the event to the incident once, even when several of its items deduplicate into one event.</summary>
    private static void Link(Incident incident, Event evt)
    {
        if (incident.Events.Any(link => ReferenceEquals(link.Event, evt) || (evt.Id != 0 && link.EventId == evt.Id)))
        {
            return;
        }
        incident.Events.Add(evt.Id == 0 ? new IncidentEvent { Incident = incident, Event = evt } : new IncidentEvent { Incident = incident, EventId = evt.Id });
    }

    /// <summary>The key's data formatter, prepared; null when the key has none (or it cannot be used, which is logged).</summary>
    private async Task<(SandboxScript Script, string Name, SandboxLimits Limits)?> FormatterAsync(Ingestion ingestion, IngestionLog log, CancellationToken cancellationToken)
    {
        var options = await db.WebhookKeys.AsNoTracking().Where(k => k.Id == ingestion.KeyId)
            .Select(k => new { k.DataFormatter, k.EventPlaybook, k.RunMitreTtpSearch, k.RunEventAutomationRules }).FirstOrDefaultAsync(cancellationToken);
        _runTtpSearch = options?.RunMitreTtpSearch ?? false;
        if (options?.EventPlaybook is { } playbookName)
        {
            _playbook = await playbooks.FindAsync(db, playbookName, cancellationToken);
            if (_playbook is null)
            {
                log.Errors.Add(new ExtractionError("key", $"The key's playbook '{playbookName}' does not exist (any more); no playbook was started."));
            }
        }
        // Event automation rules apply to event intake only.
        if (options?.RunEventAutomationRules == true && ingestion.Intake == IntakeKind.Event)
        {
            _rules = await Rules.AutomationRulesApi.ForSiteAsync(db, ingestion.SiteId, ingestion.Site?.Kind == SiteKind.Internal, cancellationToken);
        }
        var name = options?.DataFormatter;
        if (name is null)
        {
            return null;
        }
        log.Formatter = name;
        var command = await catalog.FindAsync(db, name, cancellationToken);
        if (command is { IsDataFormatter: true, Script: { } script })
        {
            return (script, command.Definition.Name, SandboxLimits.Default with { Timeout = TimeSpan.FromSeconds(gatehouseOptions.Value.Sandbox.FormatterTimeoutSeconds) });
        }
        _formatterMissing = true;
        return null;
    }

    /// <summary>The event as the formatter returns it; null when it was dropped or the formatter failed on it (logged).</summary>
    private async Task<JsonObject?> FormatAsync(SelectedItem item, (SandboxScript Script, string Name, SandboxLimits Limits)? formatter, Ingestion ingestion, IngestionLog log, CancellationToken cancellationToken)
    {
        _step = new JsonObject { ["item"] = item.Label };
        log.Steps.Add(_step);
        var formatted = await FormatItemAsync(item, formatter, ingestion, log, cancellationToken);
        if (formatter is not null || _formatterMissing)
        {
            _step["formatter"] = formatted is not null ? "applied" : log.Dropped.Contains(item.Label) ? "dropped" : "failed";
        }
        return formatted;
    }

    /// <summary>A script error or overrun fails this event only; a crashed sandbox process fails the ingestion, which is retried and then quarantined.</summary>
    private async Task<JsonObject?> FormatItemAsync(SelectedItem item, (SandboxScript Script, string Name, SandboxLimits Limits)? formatter, Ingestion ingestion, IngestionLog log, CancellationToken cancellationToken)
    {
        if (_formatterMissing)
        {
            log.Errors.Add(new ExtractionError(item.Label, $"The key's data formatter '{log.Formatter}' is not a utility command with the Data Formatter feature; the event was not created."));
            return null;
        }
        if (formatter is not { } prepared)
        {
            return item.Raw;
        }
        var budget = TimeSpan.FromSeconds(gatehouseOptions.Value.Sandbox.FormatterBudgetSeconds);
        if (_formatterTime >= budget)
        {
            log.Errors.Add(new ExtractionError(item.Label,
                $"The formatter '{prepared.Name}' used this ingestion's whole time budget ({budget.TotalSeconds:0} s, Gatehouse:Sandbox:FormatterBudgetSeconds); the event was not created."));
            return null;
        }
        var context = new JsonObject { ["site"] = ingestion.Site?.Name, ["integration"] = ingestion.Integration!.Name, ["refid"] = ingestion.Id };
        var started = time.GetTimestamp();
        try
        {
            var result = await sandbox.CallAsync(Infrastructure.Sandbox.SandboxLane.Formatters, prepared.Script, "format", [item.Raw, context], prepared.Limits, cancellationToken);
            switch (NumberFidelity.Restore(item.Raw, result))
            {
                case null:
                    log.Dropped.Add(item.Label);
                    return null;
                case JsonObject formatted:
                    return formatted;
                case var other:
                    log.Errors.Add(new ExtractionError(item.Label, $"The formatter returned {other.GetValueKind().ToString().ToLowerInvariant()}, not an event object or null."));
                    return null;
            }
        }
        catch (ScriptFailedException ex) when (ex is not Infrastructure.Sandbox.ScriptCrashedException)
        {
            log.Errors.Add(new ExtractionError(item.Label, $"The formatter '{prepared.Name}' failed: {ex.Message}"));
            return null;
        }
        finally
        {
            _formatterTime += time.GetElapsedTime(started);
        }
    }

    /// <summary>
    /// A new event, or — when an event with the same External ID was already ingested for this
    /// integration and site, here or earlier — that event, which the log records as a duplicate.
    /// </summary>
    private async Task<Event> EventForAsync(Ingestion ingestion, ExtractedEvent extracted, IngestionLog log, CancellationToken cancellationToken)
    {
        var externalId = extracted.Fields[EventFields.ExternalId];
        if (externalId is not null)
        {
            if (_newByExternalId.TryGetValue(NewEventKey(ingestion, externalId), out var earlier))
            {
                log.Deduplicated.Add(new DeduplicatedEvent(extracted.Label, externalId, null, earlier.Label));
                _step["deduplicated"] = $"same as {earlier.Label}";
                return earlier.Event;
            }
            var existing = await db.Events.FirstOrDefaultAsync(
                e => e.IntegrationId == ingestion.IntegrationId && e.SiteId == ingestion.SiteId && e.ExternalId == externalId, cancellationToken);
            if (existing is not null)
            {
                log.Deduplicated.Add(new DeduplicatedEvent(extracted.Label, externalId, existing.Id, null));
                _step["deduplicated"] = $"event {existing.Id}";
                return existing;
            }
        }
        var evt = new Event
        {
            IngestionId = ingestion.Id,
            IntegrationId = ingestion.IntegrationId,
            SiteId = ingestion.SiteId,
            Status = EventStatus.New,
            CreatedAt = time.GetUtcNow(),
            CustomFieldsJson = "{}",
            RawJson = extracted.Raw.ToJsonString(),
        };
        EventColumns.Fill(evt, extracted.Fields);
        if (_runTtpSearch)
        {
            var matches = TtpSearch.Search(extracted.Raw, extracted.Fields.Standard, attack.Catalog, attack.Sigma);
            evt.TechniquesJson = Attack.EventTechniques.Serialize(matches);
            _step["techniques"] = new JsonArray(matches.Select(m => (JsonNode)m.TechniqueId).ToArray());
        }
        _step["created"] = true;
        db.Events.Add(evt);
        if (_rules is { Count: > 0 } rules)
        {
            await ApplyRulesAsync(ingestion, evt, extracted, rules, cancellationToken);
            _step["rule"] ??= "no rule matched";
        }
        if (_playbook is { Kind: Core.Playbooks.PlaybookKind.Event })
        {
            var (run, _) = await triggers.QueueAsync(db, _playbook.Name, evt, null, ingestion.SiteId, $"event intake {ingestion.Id}", cancellationToken);
            _step["playbookRun"] = run?.Id;
        }
        if (externalId is not null)
        {
            _newByExternalId[NewEventKey(ingestion, externalId)] = (evt, extracted.Label);
        }
        return evt;
    }

    private static string NewEventKey(Ingestion ingestion, string externalId) => $"{ingestion.IntegrationId}/{ingestion.SiteId}/{externalId}";

    /// <summary>The first matching rule decides: dismiss the event, or escalate it into a new incident.</summary>
    private async Task ApplyRulesAsync(Ingestion ingestion, Event evt, ExtractedEvent extracted, IReadOnlyList<CompiledRule> rules, CancellationToken cancellationToken)
    {
        var subject = new RuleSubject(extracted.Raw, extracted.Fields.Standard, extracted.Fields.Custom);
        var match = CompiledRule.FirstMatch(rules, subject);
        if (match is null)
        {
            return;
        }
        var (rule, decision) = match.Value;
        _step["rule"] = rule.Name;
        _step["decision"] = rule.Type.ToString();
        var record = new JsonObject { ["ruleId"] = rule.Id, ["ruleName"] = rule.Name, ["type"] = rule.Type.ToString() };
        if (decision.Dismissal is { } dismissal)
        {
            evt.Status = EventStatus.Dismissed;
            evt.DismissalReasonCode = dismissal.ReasonCode;
            evt.DismissalReason = dismissal.Reason;
        }
        else if (decision.Incident is { } escalated)
        {
            evt.Status = EventStatus.Escalated;
            var incident = new Incident
            {
                IngestionId = ingestion.Id,
                IntegrationId = ingestion.IntegrationId,
                SiteId = ingestion.SiteId,
                IncidentType = escalated.IncidentType,
                Title = escalated.Title,
                Description = escalated.Description,
                Severity = escalated.Severity,
                Status = IncidentStatus.Open,
                Owner = escalated.Owner,
                CustomFieldsJson = new JsonObject { ["Escalated By Rule"] = rule.Name, ["Playbook"] = escalated.Playbook }.ToJsonString(),
                RawJson = extracted.Raw.ToJsonString(),
                CreatedAt = time.GetUtcNow(),
            };
            incident.Events.Add(new IncidentEvent { Incident = incident, Event = evt });
            db.Incidents.Add(incident);
            if (escalated.Playbook is { } playbook)
            {
                var (run, problem) = await triggers.QueueAsync(db, playbook, null, incident, ingestion.SiteId, $"escalation rule '{rule.Name}'", cancellationToken);
                _step["playbookRun"] = run?.Id ?? $"not started: {problem}";
            }
        }
        evt.AutomationJson = record.ToJsonString();
    }

    private Incident NewIncident(Ingestion ingestion, ExtractedIncident extracted, List<ExtractionError> errors)
    {
        var fields = extracted.Fields;
        var mappedSeverity = fields[IncidentFields.Severity];
        var severity = Severity.Normalize(mappedSeverity);
        if (mappedSeverity is not null && severity is null)
        {
            errors.Add(new ExtractionError(extracted.Label,
                $"Severity '{mappedSeverity}' is not one of {string.Join(", ", Severity.Levels)}; Medium was used."));
        }
        return new Incident
        {
            IngestionId = ingestion.Id,
            IntegrationId = ingestion.IntegrationId,
            SiteId = ingestion.SiteId,
            IncidentType = fields[IncidentFields.IncidentType] ?? "General",
            Title = fields[IncidentFields.Title] ?? $"{ingestion.Integration!.Name} incident",
            Description = fields[IncidentFields.Description],
            Severity = severity ?? "Medium",
            Status = IncidentStatus.Open,
            Owner = fields[IncidentFields.Owner],
            ExternalId = fields[IncidentFields.ExternalId],
            CustomFieldsJson = fields.Custom.ToJsonString(),
            RawJson = extracted.Raw.ToJsonString(),
            CreatedAt = time.GetUtcNow(),
        };
    }
}
