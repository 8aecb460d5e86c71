using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Gatehouse.Core.Auth;
using Gatehouse.Core.Rules;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Rules;

/// <summary>A rule as it would be saved, and the stored event to try it on.</summary>
public sealed record RuleTestRequest([property: Required] RuleRequest? Rule, [property: Required] long? EventId);

/// <summary>
/// Whether the rule matches the event, and what it would decide (the incident it would create, with its texts rendered);
/// <paramref name="NotApplied"/> says why it was not tried when the event is outside the rule's sites.
/// </summary>
public sealed record RuleTestResult(bool Matches, RuleDecision? Decision, string? NotApplied);

/// <summary>
/// "Test against this event": the rule is checked as create would check it, then run on the stored event's raw JSON and
/// mapped fields exactly as intake runs it. Nothing is written, nothing is escalated or dismissed.
/// </summary>
public static class RuleTestApi
{
    public static void MapRuleTestApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/automation-rules/test", Test).WithTags("Automation rules").RequireAuthorization(Policies.Administrator)
            .WithName("TestAutomationRule").WithSummary("Try a rule, as it would be saved, on a stored event: matches or not, and what it would decide. Nothing is written.");

    private static async Task<Results<Ok<RuleTestResult>, ProblemHttpResult>> Test(
        RuleTestRequest request, GatehouseDb db, CurrentUser user, Playbooks.PlaybookLibrary playbooks, CancellationToken cancellationToken)
    {
        if (request.Rule is null || request.EventId is null)
        {
            return Problems.Invalid([request.Rule is null ? "'rule' is required: the rule as you would save it." : "'eventId' is required: the id of a stored event."]);
        }
        var errors = new List<string>();
        var (site, rule) = await AutomationRulesApi.CheckAsync(request.Rule, db, playbooks, errors, cancellationToken);
        if (rule is null)
        {
            return Problems.Invalid(errors);
        }
        var sites = await user.SiteIdsAsync(cancellationToken);
        var evt = await db.Events.AsNoTracking().Include(e => e.Site).FirstOrDefaultAsync(e => e.Id == request.EventId && sites.Contains(e.SiteId), cancellationToken);
        if (evt is null)
        {
            return Problems.NotFound($"There is no event {request.EventId} that you can see.");
        }
        // The same scope intake uses (ForSiteAsync): the rule's own site, or every internal site.
        if (site is null ? evt.Site!.Kind != SiteKind.Internal : site.Id != evt.SiteId)
        {
            return TypedResults.Ok(new RuleTestResult(false, null,
                $"The rule applies to {(site is null ? "internal sites" : $"the site '{site.Name}'")}; event {evt.Id} is on the {evt.Site!.Kind} site '{evt.Site.Name}', so intake would not run it there."));
        }
        var custom = GatehouseJson.ParseStored(evt.CustomFieldsJson) as JsonObject ?? [];
        var decision = rule.Decide(new RuleSubject(GatehouseJson.ParseStored(evt.RawJson), EventColumns.Read(evt), custom));
        return TypedResults.Ok(new RuleTestResult(decision is not null, decision, null));
    }
}
