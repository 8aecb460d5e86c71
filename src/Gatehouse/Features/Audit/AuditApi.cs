using System.Text.Json.Nodes;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Audit;

public sealed record AuditFilter(DateTimeOffset? From, DateTimeOffset? To, string? Actor, int? Key, string? Action, int? Page, int? PageSize);

public sealed record AuditView(
    long Id, DateTimeOffset At, DateTimeOffset LastAt, string Action, string? Actor, int? KeyId, string? Target,
    string? Reason, string? SourceAddress, int Count, JsonNode? Detail);

public static class AuditApi
{
    public static void MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", List).WithTags("Audit").RequireAuthorization(Policies.Administrator);
    }

    internal static async Task<Results<Ok<Page<AuditView>>, ProblemHttpResult>> List(
        [AsParameters] AuditFilter filter, GatehouseDb db, AuthFailureAudit failures, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        if (Paging.From(filter.Page, filter.PageSize, errors) is not { } paging)
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
        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(a => a.Id).Skip(paging.Skip).Take(paging.Size).ToListAsync(cancellationToken);
        var views = rows.Select(a => new AuditView(a.Id, a.At, a.LastAt, a.Action, a.Actor, a.KeyId, a.Target, a.Reason, a.SourceAddress, a.Count,
            a.DetailJson is null ? null : GatehouseJson.ParseStored(a.DetailJson))).ToList();
        return TypedResults.Ok(new Page<AuditView>(views, paging.Number, paging.Size, total));
    }
}
