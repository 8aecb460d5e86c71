using System.Text.Json.Nodes;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Audit;

/// <summary>
/// Filters of the audit log: time range, actor, key, action (exact, <c>key.created</c>), resource (the action's first
/// part: <c>key</c>, <c>user</c>, <c>site</c>, …), target (by name, exact); newest first unless <c>order=asc</c>.
/// </summary>
public sealed record AuditFilter(
    DateTimeOffset? From, DateTimeOffset? To, string? Actor, int? Key, string? Action, int? Page, int? PageSize,
    string? Resource = null, string? Target = null, string? Order = null);

public enum AuditOrder { Desc, Asc }

public sealed record AuditView(
    long Id, DateTimeOffset At, DateTimeOffset LastAt, string Action, string? Actor, int? KeyId, string? Target,
    string? Reason, string? SourceAddress, int Count, JsonNode? Detail);

public static class AuditApi
{
    public static void MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", List).WithTags("Audit").RequireAuthorization(Policies.Administrator)
            .WithName("ListAuditEntries").WithSummary("The audit log: who changed what and when, with before/after for updates; filter by time, actor, action, resource, target.");
    }

    internal static async Task<Results<Ok<Page<AuditView>>, ProblemHttpResult>> List(
        [AsParameters] AuditFilter filter, GatehouseDb db, AuthFailureAudit failures, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var paging = Paging.From(filter.Page, filter.PageSize, errors);
        var ascending = filter.Order?.ToLowerInvariant() switch
        {
            null or "desc" => false,
            "asc" => true,
            _ => Refused(errors, "'order' must be asc (oldest first) or desc (newest first, the default)."),
        };
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        // Failures counted in the last second are included.
        await failures.FlushAsync(cancellationToken);
        var query = db.AuditEntries.AsNoTracking();
        if (filter.From is { } from)
        {
            query = query.Where(a => a.LastAt >= from);
        }
        if (filter.To is { } to)
        {
            query = query.Where(a => a.At < to);
        }
        if (!string.IsNullOrEmpty(filter.Actor))
        {
            query = query.Where(a => a.Actor == filter.Actor);
        }
        if (filter.Key is { } key)
        {
            query = query.Where(a => a.KeyId == key);
        }
        if (!string.IsNullOrEmpty(filter.Action))
        {
            query = query.Where(a => a.Action == filter.Action);
        }
        if (!string.IsNullOrEmpty(filter.Resource))
        {
            var prefix = filter.Resource.Trim().ToLowerInvariant() + ".";
            query = query.Where(a => a.Action.StartsWith(prefix));
        }
        if (!string.IsNullOrEmpty(filter.Target))
        {
            query = query.Where(a => a.Target == filter.Target);
        }
        var total = await query.CountAsync(cancellationToken);
        var ordered = ascending ? query.OrderBy(a => a.At).ThenBy(a => a.Id) : query.OrderByDescending(a => a.At).ThenByDescending(a => a.Id);
        var rows = await ordered.Skip(paging!.Value.Skip).Take(paging.Value.Size).ToListAsync(cancellationToken);
        var views = rows.Select(a => new AuditView(a.Id, a.At, a.LastAt, a.Action, a.Actor, a.KeyId, a.Target, a.Reason, a.SourceAddress, a.Count,
            a.DetailJson is null ? null : GatehouseJson.ParseStored(a.DetailJson))).ToList();
        return TypedResults.Ok(new Page<AuditView>(views, paging!.Value.Number, paging.Value.Size, total));
    }

    private static bool Refused(List<string> errors, string message)
    {
        errors.Add(message);
        return false;
    }
}
