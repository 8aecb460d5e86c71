using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Features.Intake;

public static class IngestionsApi
{
    public static void MapIngestionsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/ingestions/{refid}", Get).WithTags("Ingestions").RequireAuthorization();
    }

    private static async Task<Results<Ok<IngestionView>, ProblemHttpResult>> Get(
        string refid, IngestionResults results, CurrentUser user, CancellationToken cancellationToken)
    {
        var view = await results.ViewAsync(refid, await user.SiteIdsAsync(cancellationToken), cancellationToken);
        return view is null ? Problems.NotFound($"There is no ingestion '{refid}' that you can see.") : TypedResults.Ok(view);
    }
}
