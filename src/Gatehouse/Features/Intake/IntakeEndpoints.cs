using Gatehouse.Core.Auth;
using Gatehouse.Core.Intake;
using Gatehouse.Features.Webhooks;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Features.Intake;

public sealed record IntakeAccepted(string Refid, string Status);

/// <summary>The webhook intake routes: authenticate, check, store durably, acknowledge.</summary>
public static class IntakeEndpoints
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public static void MapIntakeEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/VSOC/api/Data/{integration}/{site}").WithTags("Webhook intake").AllowAnonymous();
        group.MapPost("/CreateEvents", (string integration, string site, HttpContext context, IntakeHandler handler) =>
            handler.ReceiveAsync(context, integration, site, IntakeKind.Event)).WithName("PushEvents");
        group.MapPost("/CreateIncidents", (string integration, string site, HttpContext context, IntakeHandler handler) =>
            handler.ReceiveAsync(context, integration, site, IntakeKind.Incident)).WithName("PushIncidents");
    }
}

public sealed class IntakeHandler(
    GatehouseDb db,
    WebhookFrontDoor frontDoor,
    TokenVerifier tokens,
    IngestionSignals signals,
    IngestionResults results,
    IngestionWriter writer,
    IntakeMetrics metrics,
    ClientAddresses addresses,
    IOptions<GatehouseOptions> options,
    TimeProvider time)
{
    private IntakeOptions Limits => options.Value.Intake;

    public async Task<IResult> ReceiveAsync(HttpContext context, string integrationName, string siteName, IntakeKind intake)
    {
        var cancellationToken = context.RequestAborted;
        var request = context.Request;
        var admission = await frontDoor.AdmitAsync(context, new IntakeTarget(integrationName, siteName, intake));
        if (admission.Request is not { } admitted)
        {
            return admission.Refusal!;
        }
        var wait = WaitPreference.Parse(request.Query["wait"], request.Headers["Prefer"], Limits.MaxWaitSeconds, out var waitError);
        if (waitError is not null)
        {
            return Problems.BadRequest("invalid_wait", waitError);
        }
        // A signed delivery's own id (webhook-id, X-GitHub-Delivery) makes a redelivery an answered repeat, as Idempotency-Key does.
        var idempotencyKey = admission.Request.Caller.DeliveryId ?? (string?)request.Headers[IntakeEndpoints.IdempotencyHeader];
        if (idempotencyKey is not null && (idempotencyKey.Length is 0 or > 200 || idempotencyKey.Any(c => c < 0x21 || c > 0x7e)))
        {
            return Problems.BadRequest("invalid_idempotency_key", "'Idempotency-Key' must be 1 to 200 visible ASCII characters.");
        }
        var key = admitted.Caller;
        if (idempotencyKey is not null && await FindRepeat(key.KeyId, idempotencyKey, cancellationToken) is { } repeated)
        {
            return Accepted(context, repeated);
        }
        var ingestion = new Ingestion
        {
            Id = Guid.CreateVersion7().ToString("N"),
            KeyId = key.KeyId,
            IntegrationId = admitted.Integration!.Id,
            SiteId = admitted.Site.Id,
            Intake = intake,
            Body = admitted.Body,
            IdempotencyKey = idempotencyKey,
            SourceAddress = addresses.Of(context)?.ToString(),
            Status = IngestionStatus.Pending,
            ReceivedAt = time.GetUtcNow(),
            TraceParent = Telemetry.TraceParentOf(context),
        };
        // A one-time token is spent in the same commit as the request it carried.
        WriteResult stored;
        using (var storing = Telemetry.Intake.StartActivity("gatehouse.intake.store"))
        {
            stored = await writer.WriteAsync(ingestion, admitted.TokenToRemember is { } spent ? [spent] : []);
            storing?.SetTag("gatehouse.refid", ingestion.Id);
            storing?.SetTag("gatehouse.outcome", stored.ToString());
        }
        switch (stored)
        {
            case WriteResult.Unavailable:
                return Unavailable(context, "unavailable", "Gatehouse cannot store the request right now; retry shortly.", TimeSpan.FromSeconds(1));
            case WriteResult.Conflict:
                // Two requests with the same Idempotency-Key raced: the first one stored wins.
                if (idempotencyKey is not null && await FindRepeat(key.KeyId, idempotencyKey, CancellationToken.None) is { } first)
                {
                    return Accepted(context, first);
                }
                // Two uses of a one-time token raced: the first one stored wins.
                if (key.Jwt is not null && await tokens.WasUsedAsync(key, CancellationToken.None))
                {
                    return frontDoor.Replayed(context, key);
                }
                return Unavailable(context, "unavailable", "Gatehouse could not store the request; retry shortly.", TimeSpan.FromSeconds(1));
        }
        signals.WorkArrived();
        if (wait is { } timeout && await WaitForProcessing(ingestion.Id, timeout, cancellationToken))
        {
            return TypedResults.Ok(await results.ResultAsync(ingestion.Id, CancellationToken.None));
        }
        return Accepted(context, ingestion.Id);
    }

    private async Task<bool> WaitForProcessing(string refid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        try
        {
            while (true)
            {
                // Armed before the check, and again after each signal: an ingestion sent back to pending is signalled
                // and then waited for again, never polled in a loop.
                var processed = signals.ProcessedAsync(refid);
                if (await db.Ingestions.AsNoTracking().AnyAsync(
                        i => i.Id == refid && (i.Status == IngestionStatus.Processed || i.Status == IngestionStatus.Failed), cancellationToken))
                {
                    return true;
                }
                var left = deadline - time.GetUtcNow();
                if (left <= TimeSpan.Zero)
                {
                    return false;
                }
                // The in-process signal answers at once; the poll covers processing by another node.
                var poll = TimeSpan.FromMilliseconds(Math.Min(left.TotalMilliseconds, 500));
                await Task.WhenAny(processed, Task.Delay(poll, time, cancellationToken));
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            signals.StopWaiting(refid);
        }
    }

    private IResult Unavailable(HttpContext context, string reason, string message, TimeSpan retryAfter)
    {
        metrics.Refused(reason);
        return WebhookProblems.Unavailable(context, reason, message, retryAfter);
    }

    private static IResult Accepted(HttpContext context, string refid)
    {
        context.Response.Headers.Location = $"/api/ingestions/{refid}";
        return TypedResults.Json(new IntakeAccepted(refid, "Accepted"), statusCode: StatusCodes.Status202Accepted);
    }

    private Task<string?> FindRepeat(int keyId, string idempotencyKey, CancellationToken cancellationToken) =>
        db.Ingestions.AsNoTracking().Where(i => i.KeyId == keyId && i.IdempotencyKey == idempotencyKey)
            .Select(i => i.Id).FirstOrDefaultAsync(cancellationToken);
}
