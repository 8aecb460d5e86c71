using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Rules;
using Gatehouse.Features.Audit;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Rules;

public sealed record RuleRequest(
    [property: Required] string? Name, int? Order, [property: Required] RuleType? Type, string? Site, string? Scope, bool? Enabled,
    [property: Required] JsonNode? Condition, DismissalAction? Dismissal, EscalationAction? Escalation);

public sealed record RuleView(
    int Id, string Name, int Order, RuleType Type, string? Site, string? Scope, bool Enabled,
    JsonNode? Condition, DismissalAction? Dismissal, EscalationAction? Escalation);

/// <summary>Only the members given change: a rule's name, place in the order, or enabled state.</summary>
public sealed record RulePatch(string? Name, int? Order, bool? Enabled);

/// <summary>The new order of rules: the ids listed get the orders 10, 20, 30, … in that sequence.</summary>
public sealed record RuleReorder([property: Required] List<int>? Ids);

/// <summary>
/// Event automation rules: administrators create, replace (PUT), edit name, order and enabled (PATCH), reorder and
/// delete them; every change is one transaction with its audit row, and reaches every node's intake through the
/// rules change topic.
/// </summary>
public static class AutomationRulesApi
{
    public const string AllInternalSites = "AllInternalSites";

    public static void MapAutomationRulesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/automation-rules").WithTags("Automation rules").RequireAuthorization();
        group.MapGet("/", List).WithName("ListAutomationRules").WithSummary("List the automation rules that apply to your sites, in the order they run.").WithListPaging();
        group.MapGet("/{id:int}", Get).WithName("GetAutomationRule").WithSummary("One automation rule.");
        var admin = group.MapGroup("").RequireAuthorization(Policies.Administrator);
        admin.MapPost("/", Create).WithName("CreateAutomationRule").WithSummary("Create an automation rule (Dismissal or Escalation).");
        admin.MapPut("/{id:int}", Replace).WithName("ReplaceAutomationRule").WithSummary("Replace an automation rule: the body is a whole rule, as for create.");
        admin.MapPatch("/{id:int}", Patch).WithName("UpdateAutomationRule").WithSummary("Rename a rule, move it in the order, enable or disable it.");
        admin.MapPost("/reorder", Reorder).WithName("ReorderAutomationRules").WithSummary("Set the order of rules: the ids listed run first, in that sequence.");
        admin.MapDelete("/{id:int}", Delete).WithName("DeleteAutomationRule").WithSummary("Delete an automation rule.");
    }

    internal static async Task<Ok<List<RuleView>>> List(GatehouseDb db, CurrentUser user, CancellationToken cancellationToken)
    {
        var sites = await user.SiteIdsAsync(cancellationToken);
        var rules = await db.AutomationRules.AsNoTracking().Include(r => r.Site)
            .Where(r => r.SiteId == null || sites.Contains(r.SiteId.Value)).OrderBy(r => r.Order).ThenBy(r => r.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(rules.Select(View).ToList());
    }

    private static async Task<Results<Ok<RuleView>, ProblemHttpResult>> Get(int id, GatehouseDb db, CurrentUser user, CancellationToken cancellationToken)
    {
        var sites = await user.SiteIdsAsync(cancellationToken);
        var rule = await db.AutomationRules.AsNoTracking().Include(r => r.Site)
            .FirstOrDefaultAsync(r => r.Id == id && (r.SiteId == null || sites.Contains(r.SiteId.Value)), cancellationToken);
        return rule is null ? Problems.NotFound($"There is no automation rule {id} that you can see.") : TypedResults.Ok(View(rule));
    }

    private static async Task<Results<Created<RuleView>, ProblemHttpResult>> Create(
        RuleRequest request, GatehouseDb db, Playbooks.PlaybookLibrary playbooks, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var (site, _) = await CheckAsync(request, db, playbooks, errors, cancellationToken);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var rule = new AutomationRule { Name = "", ConditionJson = "", CreatedAt = time.GetUtcNow() };
        Apply(rule, request, site);
        db.AutomationRules.Add(rule);
        await audit.SaveCreatedAsync(AuditActions.RuleCreated, () => (rule.Name, View(rule), null), cancellationToken);
        return TypedResults.Created($"/api/automation-rules/{rule.Id}", View(rule));
    }

    private static async Task<Results<Ok<RuleView>, ProblemHttpResult>> Replace(
        int id, RuleRequest request, GatehouseDb db, Playbooks.PlaybookLibrary playbooks, AuditLog audit, CancellationToken cancellationToken)
    {
        var rule = await db.AutomationRules.Include(r => r.Site).FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (rule is null)
        {
            return Problems.NotFound($"There is no automation rule {id}.");
        }
        var errors = new List<string>();
        var (site, _) = await CheckAsync(request, db, playbooks, errors, cancellationToken);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var before = View(rule);
        Apply(rule, request with { Order = request.Order ?? rule.Order, Enabled = request.Enabled ?? rule.Enabled }, site);
        return await SaveChangeAsync(rule, before, db, audit, cancellationToken);
    }

    private static async Task<Results<Ok<RuleView>, ProblemHttpResult>> Patch(
        int id, RulePatch patch, GatehouseDb db, AuditLog audit, CancellationToken cancellationToken)
    {
        var rule = await db.AutomationRules.Include(r => r.Site).FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (rule is null)
        {
            return Problems.NotFound($"There is no automation rule {id}.");
        }
        var errors = new List<string>();
        if (patch.Name is not null && (string.IsNullOrWhiteSpace(patch.Name) || patch.Name.Length > 200))
        {
            errors.Add("'name' cannot be empty (at most 200 characters).");
        }
        CheckOrder(patch.Order, errors);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var before = View(rule);
        rule.Name = patch.Name?.Trim() ?? rule.Name;
        rule.Order = patch.Order ?? rule.Order;
        rule.Enabled = patch.Enabled ?? rule.Enabled;
        return await SaveChangeAsync(rule, before, db, audit, cancellationToken);
    }

    private static async Task<Results<Ok<List<RuleView>>, ProblemHttpResult>> Reorder(
        RuleReorder request, GatehouseDb db, CurrentUser user, AuditLog audit, CancellationToken cancellationToken)
    {
        var ids = request.Ids;
        if (ids is null || ids.Count == 0 || ids.Count > 1000)
        {
            return Problems.Invalid(["'ids' is required: the rule ids in their new order (1 to 1000)."]);
        }
        if (ids.Distinct().Count() != ids.Count)
        {
            return Problems.Invalid(["'ids' names a rule twice."]);
        }
        var rules = await db.AutomationRules.Where(r => ids.Contains(r.Id)).ToListAsync(cancellationToken);
        if (ids.Except(rules.Select(r => r.Id)).ToList() is { Count: > 0 } missing)
        {
            return Problems.Invalid([$"'ids': there is no automation rule {string.Join(", ", missing)}."]);
        }
        var before = rules.OrderBy(r => r.Order).ThenBy(r => r.Id).Select(r => new { r.Id, r.Name, r.Order }).ToList();
        // The listed rules take 10, 20, …; rules not listed keep their order numbers.
        var byId = rules.ToDictionary(r => r.Id);
        for (var i = 0; i < ids.Count; i++)
        {
            byId[ids[i]].Order = (i + 1) * 10;
        }
        var after = ids.Select(id => new { byId[id].Id, byId[id].Name, byId[id].Order }).ToList();
        audit.Record(AuditActions.RulesReordered, target: string.Join(", ", after.Select(r => r.Name)), detail: new { From = before, To = after });
        await db.SaveChangesAsync(cancellationToken);
        return await List(db, user, cancellationToken);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(int id, GatehouseDb db, AuditLog audit, CancellationToken cancellationToken)
    {
        var rule = await db.AutomationRules.Include(r => r.Site).FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (rule is null)
        {
            return Problems.NotFound($"There is no automation rule {id}.");
        }
        audit.Record(AuditActions.RuleDeleted, target: rule.Name, detail: View(rule));
        db.AutomationRules.Remove(rule);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<RuleView>, ProblemHttpResult>> SaveChangeAsync(
        AutomationRule rule, RuleView before, GatehouseDb db, AuditLog audit, CancellationToken cancellationToken)
    {
        var after = View(rule);
        if (audit.RecordChange(AuditActions.RuleUpdated, rule.Name, before, after))
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        return TypedResults.Ok(after);
    }

    /// <summary>Every problem of a whole rule (create, replace, test), the site it names and the rule compiled (null when refused).</summary>
    internal static async Task<(Site? Site, CompiledRule? Rule)> CheckAsync(
        RuleRequest request, GatehouseDb db, Playbooks.PlaybookLibrary playbooks, List<string> errors, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
        {
            errors.Add("'name' is required (at most 200 characters).");
        }
        if (request.Type is null)
        {
            errors.Add("'type' is required: Dismissal or Escalation.");
        }
        CheckOrder(request.Order, errors);
        Site? site = null;
        if ((request.Site is null) == (request.Scope is null))
        {
            errors.Add($"Give exactly one of 'site' and 'scope' (\"{AllInternalSites}\").");
        }
        else if (request.Scope is not null && request.Scope != AllInternalSites)
        {
            errors.Add($"'scope' can only be \"{AllInternalSites}\".");
        }
        else if (request.Site is not null)
        {
            var normalized = Normalize.Name(request.Site);
            site = await db.Sites.FirstOrDefaultAsync(s => s.NormalizedName == normalized, cancellationToken);
            if (site is null)
            {
                errors.Add($"'site': there is no site '{(request.Site.Length > 100 ? request.Site[..100] + "…" : request.Site)}'.");
            }
        }
        var compiled = CompiledRule.Compile(0, request.Name ?? "", request.Type ?? RuleType.Dismissal, request.Condition, request.Dismissal, request.Escalation, errors);
        if (request.Escalation?.Playbook is { Length: > 0 } playbookName)
        {
            var playbook = await playbooks.FindAsync(db, playbookName, cancellationToken);
            if (playbook is not { Kind: Core.Playbooks.PlaybookKind.Incident })
            {
                errors.Add(playbook is null
                    ? $"escalation.playbook: there is no playbook '{playbookName}' (see GET /api/playbooks)."
                    : $"escalation.playbook: '{playbookName}' is an Event playbook; an escalation runs an Incident playbook on the incident it creates.");
            }
        }
        return (site, errors.Count == 0 ? compiled : null);
    }

    private static void CheckOrder(int? order, List<string> errors)
    {
        if (order is < 0 or > 1_000_000)
        {
            errors.Add("'order' must be between 0 and 1000000 (rules run from the lowest).");
        }
    }

    private static void Apply(AutomationRule rule, RuleRequest request, Site? site)
    {
        rule.Name = request.Name!.Trim();
        rule.Order = request.Order ?? 100;
        rule.Type = request.Type!.Value;
        rule.SiteId = site?.Id;
        rule.Site = site;
        rule.CrossInternalSites = request.Scope == AllInternalSites;
        rule.Enabled = request.Enabled ?? true;
        rule.ConditionJson = request.Condition!.ToJsonString();
        rule.DismissalJson = request.Dismissal is null ? null : JsonSerializer.Serialize(request.Dismissal, GatehouseJson.Options);
        rule.EscalationJson = request.Escalation is null ? null : JsonSerializer.Serialize(request.Escalation, GatehouseJson.Options);
    }

    private static RuleView View(AutomationRule rule) =>
        new(rule.Id, rule.Name, rule.Order, rule.Type, rule.Site?.Name, rule.CrossInternalSites ? AllInternalSites : null, rule.Enabled,
            GatehouseJson.ParseStored(rule.ConditionJson),
            rule.DismissalJson is null ? null : JsonSerializer.Deserialize<DismissalAction>(rule.DismissalJson, GatehouseJson.Options),
            rule.EscalationJson is null ? null : JsonSerializer.Deserialize<EscalationAction>(rule.EscalationJson, GatehouseJson.Options));

    /// <summary>The enabled rules that apply to a site, compiled, in order.</summary>
    public static async Task<IReadOnlyList<CompiledRule>> ForSiteAsync(GatehouseDb db, int siteId, bool siteIsInternal, CancellationToken cancellationToken)
    {
        var rules = await db.AutomationRules.AsNoTracking()
            .Where(r => r.Enabled && (r.SiteId == siteId || (r.CrossInternalSites && siteIsInternal)))
            .OrderBy(r => r.Order).ThenBy(r => r.Id).ToListAsync(cancellationToken);
        var compiled = new List<CompiledRule>();
        foreach (var rule in rules)
        {
            var view = View(rule);
            var ignored = new List<string>();
            if (CompiledRule.Compile(rule.Id, rule.Name, rule.Type, view.Condition, view.Dismissal, view.Escalation, ignored) is { } ready)
            {
                compiled.Add(ready);
            }
        }
        return compiled;
    }
}
