using System.Text.Json.Nodes;
using Gatehouse.Core.Attack;
using Gatehouse.Core.Auth;
using Gatehouse.Core.Playbooks;
using Gatehouse.Core.Rules;

namespace Gatehouse.Core.Intake;

/// <summary>
/// The intake pipeline (SPEC §5) as pure decisions: select the items of each stored request, draft
/// them once the data formatter has run (map the fields), then plan a whole batch — deduplication
/// against what is stored and within the batch, TTP search, automation rules, incidents, playbook
/// runs — and the log of each request. The host loads, formats, plans, applies and commits.
/// </summary>
public static class IngestionPlanner
{
    public const int MaxExternalIdLength = 512;

    /// <summary>Step 2: the events (or incidents with their events) the main JSON path selects.</summary>
    public static IngestionSelection Select(IngestionInput input)
    {
        var errors = new List<ExtractionError>();
        if (input.Intake == IntakeKind.Event)
        {
            return new IngestionSelection(input, IntakeExtractor.SelectEvents(input.Body, input.EventIntake, errors), [], errors);
        }
        if (input.IncidentIntake is null)
        {
            errors.Add(new ExtractionError("body", $"The integration '{input.IntegrationName}' has no incident intake definition."));
            return new IngestionSelection(input, [], [], errors);
        }
        return new IngestionSelection(input, [], IntakeExtractor.SelectIncidents(input.Body, input.IncidentIntake, errors), errors);
    }

    /// <summary>
    /// Steps 3–4: each item as the formatter left it (<paramref name="formatted"/> by item label; null
    /// when the key has no formatter), mapped. A dropped or failed item is logged and goes no further.
    /// </summary>
    public static IngestionDraft Draft(IngestionSelection selection, IReadOnlyDictionary<string, FormatOutcome>? formatted)
    {
        var input = selection.Input;
        var errors = new List<ExtractionError>(selection.Errors);
        var dropped = new List<string>();
        var rawData = new JsonArray();
        DraftItem DraftEvent(SelectedItem item)
        {
            if (formatted is null)
            {
                return Checked(new DraftItem(item.Label, null, item.Raw, input.EventIntake.Fields.Apply(item.Raw)));
            }
            var outcome = formatted.GetValueOrDefault(item.Label) ?? FormatOutcome.Failed("The formatter did not run on this event.");
            switch (outcome.Result)
            {
                case FormatResult.Kept:
                    return Checked(new DraftItem(item.Label, "applied", outcome.Event, input.EventIntake.Fields.Apply(outcome.Event!)));
                case FormatResult.Dropped:
                    dropped.Add(item.Label);
                    return new DraftItem(item.Label, "dropped", null, null);
                default:
                    errors.Add(new ExtractionError(item.Label, outcome.Error!));
                    return new DraftItem(item.Label, "failed", null, null);
            }
        }

        // An External ID is a lookup key, indexed: one too long to index fails its event, not the whole batch.
        DraftItem Checked(DraftItem item)
        {
            if (item.Fields?[EventFields.ExternalId] is { Length: > MaxExternalIdLength })
            {
                errors.Add(new ExtractionError(item.Label, $"The External ID is longer than {MaxExternalIdLength} characters; the event was not created."));
                return item with { Event = null, Fields = null };
            }
            return item;
        }

        var events = new List<DraftItem>();
        foreach (var item in selection.Events)
        {
            rawData.Add(item.Raw.DeepClone());
            events.Add(DraftEvent(item));
        }
        var incidents = new List<DraftIncident>();
        foreach (var selected in selection.Incidents)
        {
            rawData.Add(selected.Raw.DeepClone());
            var fields = input.IncidentIntake!.Fields.Apply(selected.Raw);
            var mappedSeverity = fields[IncidentFields.Severity];
            var severity = Severity.Normalize(mappedSeverity);
            if (mappedSeverity is not null && severity is null)
            {
                errors.Add(new ExtractionError(selected.Label, $"Severity '{mappedSeverity}' is not one of {string.Join(", ", Severity.Levels)}; Medium was used."));
            }
            incidents.Add(new DraftIncident(selected.Label, selected.Raw, fields, severity ?? "Medium", selected.Events.Select(DraftEvent).ToList()));
        }
        return new IngestionDraft(input, events, incidents, rawData, errors, dropped);
    }

    /// <summary>Steps 5–8 for a batch, in order: what to create, what to link, what to start, and each request's log.</summary>
    public static BatchPlan Plan(IReadOnlyList<IngestionDraft> drafts, PlanningContext context)
    {
        var plan = new BatchPlan();
        var newInBatch = new Dictionary<ExternalKey, (int Index, string Label)>();
        foreach (var draft in drafts)
        {
            plan.Logs.Add((draft.Input.Refid, new RequestPlanner(draft, context, plan, newInBatch).Run()));
        }
        return plan;
    }

    /// <summary>One request's share of the batch plan; the batch's new External IDs are shared so a later request links to an earlier one.</summary>
    private sealed class RequestPlanner(IngestionDraft draft, PlanningContext context, BatchPlan plan, Dictionary<ExternalKey, (int Index, string Label)> newInBatch)
    {
        private readonly IngestionInput _input = draft.Input;
        private readonly IngestionLog _log = new() { Formatter = draft.Input.Settings.Formatter };
        private PlaybookRef? _playbook;

        public IngestionLog Run()
        {
            if (_input.Settings.Playbook is { } name)
            {
                _playbook = context.FindPlaybook(name);
                if (_playbook is null)
                {
                    _log.Errors.Add(new ExtractionError("key", $"The key's playbook '{name}' does not exist (any more); no playbook was started."));
                }
            }
            _log.Errors.AddRange(draft.Errors);
            _log.Dropped.AddRange(draft.Dropped);
            _log.RawData = draft.RawData;
            foreach (var item in draft.Events)
            {
                var step = Step(item);
                if (item.Event is not null)
                {
                    _log.Output.Add(new JsonObject { ["item"] = item.Label, ["fields"] = item.Fields!.ToJson() });
                    EventFor(item, step);
                }
            }
            foreach (var incident in draft.Incidents)
            {
                PlanIncident(incident);
            }
            return _log;
        }

        private JsonObject Step(DraftItem item)
        {
            var step = new JsonObject { ["item"] = item.Label };
            if (item.FormatterStep is { } formatter)
            {
                step["formatter"] = formatter;
            }
            _log.Steps.Add(step);
            return step;
        }

        private void PlanIncident(DraftIncident draftIncident)
        {
            var fields = draftIncident.Fields;
            var incident = new PlannedIncident
            {
                Refid = _input.Refid,
                Label = draftIncident.Label,
                IntegrationId = _input.IntegrationId,
                SiteId = _input.SiteId,
                IncidentType = fields[IncidentFields.IncidentType] ?? "General",
                Title = fields[IncidentFields.Title] ?? $"{_input.IntegrationName} incident",
                Description = fields[IncidentFields.Description],
                Severity = draftIncident.Severity,
                Owner = fields[IncidentFields.Owner],
                ExternalId = fields[IncidentFields.ExternalId],
                Creator = _input.IntegrationName,
                Custom = fields.Custom,
                Raw = draftIncident.Raw,
            };
            var incidentIndex = plan.Incidents.Count;
            plan.Incidents.Add(incident);
            var events = new JsonArray();
            var output = new JsonObject { ["item"] = draftIncident.Label, ["fields"] = fields.ToJson(), ["events"] = events };
            foreach (var item in draftIncident.Events)
            {
                var step = Step(item);
                if (item.Event is null)
                {
                    continue;
                }
                events.Add(new JsonObject { ["item"] = item.Label, ["fields"] = item.Fields!.ToJson() });
                var linked = EventFor(item, step);
                if (!incident.Events.Contains(linked))
                {
                    incident.Events.Add(linked);
                }
            }
            _log.Output.Add(output);
            if (_playbook is { Kind: PlaybookKind.Incident })
            {
                output["playbookRun"] = Queue(_playbook, null, incidentIndex, $"incident intake {_input.Refid}");
            }
        }

        /// <summary>A new event, or the event already stored (or planned earlier in the batch) with the same External ID, logged as a duplicate.</summary>
        private EventRef EventFor(DraftItem item, JsonObject step)
        {
            var fields = item.Fields!;
            var externalId = fields[EventFields.ExternalId];
            ExternalKey? key = externalId is null ? null : new ExternalKey(_input.IntegrationId, _input.SiteId, externalId);
            if (key is { } known)
            {
                if (newInBatch.TryGetValue(known, out var earlier))
                {
                    _log.Deduplicated.Add(new DeduplicatedEvent(item.Label, externalId!, null, earlier.Label));
                    step["deduplicated"] = $"same as {earlier.Label}";
                    plan.Deduplicated++;
                    return new EventRef(earlier.Index, null);
                }
                if (context.Known.TryGetValue(known, out var existing))
                {
                    _log.Deduplicated.Add(new DeduplicatedEvent(item.Label, externalId!, existing, null));
                    step["deduplicated"] = $"event {existing}";
                    plan.Deduplicated++;
                    return new EventRef(null, existing);
                }
            }
            IReadOnlyList<TechniqueMatch>? techniques = null;
            if (_input.Settings.RunTtpSearch)
            {
                techniques = TtpSearch.Search(item.Event, fields.Standard, context.Catalog, context.Sigma, _input.EventIntake.LogSource, _input.EventIntake.SigmaFields);
                step["techniques"] = new JsonArray(techniques.Select(m => (JsonNode)m.TechniqueId).ToArray());
                plan.Techniques += techniques.Count(m => !m.TechniqueId.StartsWith("TA", StringComparison.Ordinal));
            }
            var index = plan.Events.Count;
            var planned = new PlannedEvent
            {
                Refid = _input.Refid, Label = item.Label, IntegrationId = _input.IntegrationId, SiteId = _input.SiteId, Raw = item.Event!, Fields = fields, Techniques = techniques,
            };
            plan.Events.Add(planned);
            step["created"] = true;
            // Event automation rules apply to event intake only.
            if (_input.Intake == IntakeKind.Event && _input.Settings.Rules is { Count: > 0 } rules)
            {
                ApplyRules(planned, index, rules, step);
                step["rule"] ??= "no rule matched";
            }
            if (_playbook is { Kind: PlaybookKind.Event })
            {
                step["playbookRun"] = Queue(_playbook, index, null, $"event intake {_input.Refid}");
            }
            if (key is { } added)
            {
                newInBatch[added] = (index, item.Label);
            }
            return new EventRef(index, null);
        }

        /// <summary>The first matching rule decides: dismiss the event, or escalate it into a new incident.</summary>
        private void ApplyRules(PlannedEvent evt, int eventIndex, IReadOnlyList<CompiledRule> rules, JsonObject step)
        {
            if (CompiledRule.FirstMatch(rules, new RuleSubject(evt.Raw, evt.Fields.Standard, evt.Fields.Custom)) is not { } match)
            {
                return;
            }
            var (rule, decision) = match;
            step["rule"] = rule.Name;
            step["decision"] = rule.Type.ToString();
            evt.Automation = new JsonObject { ["ruleId"] = rule.Id, ["ruleName"] = rule.Name, ["type"] = rule.Type.ToString() };
            if (decision.Dismissal is { } dismissal)
            {
                evt.Status = PlannedStatus.Dismissed;
                evt.Dismissal = dismissal;
                return;
            }
            var escalated = decision.Incident!;
            evt.Status = PlannedStatus.Escalated;
            var incident = new PlannedIncident
            {
                Refid = _input.Refid,
                IntegrationId = _input.IntegrationId,
                SiteId = _input.SiteId,
                IncidentType = escalated.IncidentType,
                Title = escalated.Title,
                Description = escalated.Description,
                Severity = escalated.Severity,
                Owner = escalated.Owner,
                Creator = $"Automation rule {rule.Name}",
                Playbook = escalated.Playbook,
                Custom = new JsonObject { ["Escalated By Rule"] = rule.Name },
                Raw = evt.Raw,
            };
            incident.Events.Add(new EventRef(eventIndex, null));
            var incidentIndex = plan.Incidents.Count;
            plan.Incidents.Add(incident);
            if (escalated.Playbook is { } name)
            {
                var trigger = $"escalation rule '{rule.Name}'";
                var playbook = context.FindPlaybook(name);
                var problem = playbook is null ? $"there is no playbook '{name}'"
                    : playbook.Kind != PlaybookKind.Incident ? $"'{playbook.Name}' is an {playbook.Kind} playbook, not an Incident playbook" : null;
                if (problem is not null)
                {
                    plan.NotStarted.Add(new NotStarted(name, trigger, problem));
                }
                step["escalationPlaybookRun"] = problem is null ? Queue(playbook!, null, incidentIndex, trigger) : $"not started: {problem}";
            }
        }

        private string Queue(PlaybookRef playbook, int? eventIndex, int? incidentIndex, string trigger)
        {
            var id = context.NewRunId();
            plan.Runs.Add(new PlannedRun(id, playbook.Name, playbook.Kind, eventIndex, incidentIndex, _input.SiteId, trigger.Length > 200 ? trigger[..200] : trigger));
            return id;
        }
    }
}
