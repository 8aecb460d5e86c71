using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Rules;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Rules;

public sealed record RuleRequest(
    string? Name, int? Order, RuleType? Type, string? Site, string? Scope, bool? Enabled,
    JsonNode? Condition, DismissalAction? Dismissal, EscalationAction? Escalation);

public sealed record RuleView(
    int Id, string Name, int Order, RuleType Type, string? Site, string? Scope, bool Enabled,
    JsonNode? Condition, DismissalAction? Dismissal, EscalationAction? Escalation);

public static class AutomationRulesApi
{
    public const string AllInternalSites = "AllInternalSites";

    public static void MapAutomationRulesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/automation-rules").WithTags("Automation rules").RequireAuthorization();
        group.MapGet("/", List);
        group.MapPost("/", Create).RequireAuthorization(Policies.Administrator);
        group.MapDelete("/{id:int}", Delete).RequireAuthorization(Policies.Administrator);
    }

    internal static async Task<Ok<List<RuleView>>> List(GatehouseDb db, CurrentUser user, CancellationToken cancellationToken)
    {
        var sites = await user.SiteIdsAsync(cancellationToken);
        var rules = await db.AutomationRules.AsNoTracking().Include(r => r.Site)
            .Where(r => r.SiteId == null || sites.Contains(r.SiteId.Value)).OrderBy(r => r.Order).ThenBy(r => r.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(rules.Select(View).ToList());
    }

    private static async Task<Results<Created<RuleView>, ProblemHttpResult>> Create(
        RuleRequest request, GatehouseDb db, Playbooks.PlaybookLibrary playbooks, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
        {
            errors.Add("'name' is required (at most 200 characters).");
        }
        if (request.Type is null)
        {
            errors.Add("'type' is required: Dismissal or Escalation.");
        }
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
                errors.Add($"There is no site '{request.Site}'.");
            }
        }
        CompiledRule.Compile(0, request.Name ?? "", request.Type ?? RuleType.Dismissal, request.Condition, request.Dismissal, request.Escalation, errors);
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
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var rule = new AutomationRule
        {
            Name = request.Name!.Trim(),
            Order = request.Order ?? 100,
            Type = request.Type!.Value,
            SiteId = site?.Id,
            Site = site,
            CrossInternalSites = request.Scope == AllInternalSites,
            Enabled = request.Enabled ?? true,
            ConditionJson = request.Condition!.ToJsonString(),
            DismissalJson = request.Dismissal is null ? null : JsonSerializer.Serialize(request.Dismissal, GatehouseJson.Options),
            EscalationJson = request.Escalation is null ? null : JsonSerializer.Serialize(request.Escalation, GatehouseJson.Options),
            CreatedAt = time.GetUtcNow(),
        };
        db.AutomationRules.Add(rule);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/automation-rules/{rule.Id}", View(rule));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(int id, GatehouseDb db, CancellationToken cancellationToken)
    {
        var rule = await db.AutomationRules.FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (rule is null)
        {
            return Problems.NotFound($"There is no automation rule {id}.");
        }
        db.AutomationRules.Remove(rule);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
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
