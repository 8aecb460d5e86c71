using System.Text.Json.Nodes;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Commands;

public sealed record CommandRunFilter(string? Command, int? Key, DateTimeOffset? From, DateTimeOffset? To, int? Page, int? PageSize);

public sealed record CommandRunView(
    long Id, DateTimeOffset At, int KeyId, string Command, string? Site, string? Username, JsonNode? Parameters,
    long DurationMilliseconds, long ResultBytes, string? Error);

public static class CommandRunsApi
{
    public static void MapCommandRunsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/command-runs", List).WithTags("Remote commands").RequireAuthorization()
            .WithName("ListCommandRuns").WithSummary("Remote command runs: who, which key, parameters without secrets, duration, result size, error.");
    }

    /// <summary>The runs on the sites the user can access, newest first.</summary>
    internal static async Task<Results<Ok<Page<CommandRunView>>, ProblemHttpResult>> List(
        [AsParameters] CommandRunFilter filter, GatehouseDb db, CurrentUser user, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        if (Paging.From(filter.Page, filter.PageSize, errors) is not { } paging)
        {
            return Problems.Invalid(errors);
        }
        var sites = await user.SiteIdsAsync(cancellationToken);
        var query = db.CommandRuns.AsNoTracking().Where(r => r.SiteId != null && sites.Contains(r.SiteId.Value));
        if (!string.IsNullOrEmpty(filter.Command))
        {
            query = query.Where(r => r.Command == filter.Command);
        }
        if (filter.Key is { } key)
        {
            query = query.Where(r => r.KeyId == key);
        }
        if (filter.From is { } from)
        {
            query = query.Where(r => r.At >= from);
        }
        if (filter.To is { } to)
        {
            query = query.Where(r => r.At < to);
        }
        var total = await query.CountAsync(cancellationToken);
        var runs = await query.OrderByDescending(r => r.Id).Skip(paging.Skip).Take(paging.Size).ToListAsync(cancellationToken);
        var siteNames = await db.Sites.AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Name, cancellationToken);
        var views = runs.Select(r => new CommandRunView(r.Id, r.At, r.KeyId, r.Command, r.SiteId is { } id ? siteNames.GetValueOrDefault(id) : null, r.Username,
            r.ParametersJson is null ? null : GatehouseJson.ParseStored(r.ParametersJson), r.DurationMilliseconds, r.ResultBytes, r.Error)).ToList();
        return TypedResults.Ok(new Page<CommandRunView>(views, paging.Number, paging.Size, total));
    }
}
