using Gatehouse.Core.Sigma;
using Gatehouse.Features.Attack;
using Gatehouse.Features.Auth;
using Gatehouse.Features.Integrations;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Events;

/// <summary>The answer of <c>GET /api/events/{id}/explain?rule=</c>.</summary>
public sealed record RuleExplanationView(long EventId, string RuleId, string Title, string Level, string Author, SigmaLogSource RuleLogSource, SigmaExplanation Explanation);

/// <summary>Why a Sigma rule did or did not fire on a stored event, with the event as TTP search saw it.</summary>
public static class EventExplainApi
{
    public static void MapEventExplainApi(this IEndpointRouteBuilder app) =>
        app.MapGroup("/api/events").WithTags("Events").RequireAuthorization()
            .MapGet("/{id:long}/explain", Explain)
            .WithName("ExplainEvent").WithSummary("Why a Sigma rule fired or did not fire on an event: log source, fields, each selection.");

    internal static async Task<Results<Ok<RuleExplanationView>, ProblemHttpResult>> Explain(
        long id, string? rule, GatehouseDb db, CurrentUser user, AttackContent attack, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(rule))
        {
            return Problems.Invalid(["'rule' is required: the id of a loaded Sigma rule, such as one an event's evidence names."]);
        }
        var sites = await user.SiteIdsAsync(cancellationToken);
        var evt = await db.Events.AsNoTracking().Include(e => e.Integration).FirstOrDefaultAsync(e => e.Id == id && sites.Contains(e.SiteId), cancellationToken);
        if (evt is null)
        {
            return Problems.NotFound($"There is no event {id} that you can see.");
        }
        if (attack.Sigma.Rule(rule.Trim()) is not { } found)
        {
            return Problems.NotFound($"No loaded Sigma rule has the id '{(rule.Length > 100 ? rule[..100] + "…" : rule)}' (Gatehouse:Sigma:RulesPath; rules that could not be compiled are listed at start-up).");
        }
        var intake = evt.Integration is null ? null : IntakeJson.Deserialize(evt.Integration.EventIntakeJson);
        var declared = intake?.LogSource is { } source ? new SigmaLogSource(source.Product, source.Category, source.Service) : null;
        var sigmaEvent = new SigmaEvent(GatehouseJson.ParseStored(evt.RawJson), EventColumns.Read(evt), intake?.SigmaFields);
        return TypedResults.Ok(new RuleExplanationView(evt.Id, found.Id, found.Title, found.Level, found.Author, found.LogSource,
            SigmaExplanation.Of(found, sigmaEvent, declared, attack.Sigma)));
    }
}
