using Gatehouse.Core.Auth;
using Gatehouse.Core.Intake;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.Features;
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
            handler.ReceiveAsync(context, integration, site, IntakeKind.Event));
        group.MapPost("/CreateIncidents", (string integration, string site, HttpContext context, IntakeHandler handler) =>
            handler.ReceiveAsync(context, integration, site, IntakeKind.Incident));
    }
}

public sealed class IntakeHandler(
    GatehouseDb db,
    WebhookAuthenticator authenticator,
    TokenVerifier tokens,
    WebhookDirectory directory,
    KeyRateLimiter rateLimiter,
    IngestionSignals signals,
    IngestionResults results,
    IngestionWriter writer,
    IntakeBacklog backlog,
    IntakeMetrics metrics,
    IOptions<GatehouseOptions> options,
    TimeProvider time)
{
    private IntakeOptions Limits => options.Value.Intake;

    public async Task<IResult> ReceiveAsync(HttpContext context, string integrationName, string siteName, IntakeKind intake)
    {
        var cancellationToken = context.RequestAborted;
        var request = context.Request;
        var auth = await authenticator.AuthenticateAsync(request, cancellationToken);
        if (auth.Failure is { } failure)
        {
            return Unauthorized(context, failure);
        }
        var key = auth.Caller!;
        var integration = await directory.IntegrationAsync(db, integrationName, cancellationToken);
        var site = await directory.SiteAsync(db, siteName, cancellationToken);
        if (integration is null || site is null)
        {
            return Problems.NotFound(integration is null
                ? $"There is no integration '{integrationName}'."
                : $"There is no site '{siteName}'.");
        }
        if (KeyScopeRules.CheckIntake(key.Scope, new IntakeEndpoint(integration.Id, intake, site.Id, site.Kind)) is { } scopeFailure)
        {
            return Unauthorized(context, new AuthFailure(scopeFailure, key.KeyId));
        }
        if (rateLimiter.TryAcquire(key.KeyId, key.RateLimitPerSecond) is { } retryAfter)
        {
            authenticator.RecordFailure(context, new AuthFailure(AuthFailureReason.RateLimited, key.KeyId));
            return Problems.RateLimited(context, retryAfter);
        }
        if (backlog.IsFull)
        {
            return Unavailable(context, "backlog_full", "Gatehouse has more unprocessed requests than it may hold; retry later.", TimeSpan.FromSeconds(5));
        }
        if (!ContentTypes.IsJson(request.ContentType))
        {
            return Problems.Create(415, "unsupported_media_type", "Send the body as JSON with 'Content-Type: application/json'.");
        }
        var wait = WaitPreference.Parse(request.Query["wait"], request.Headers["Prefer"], Limits.MaxWaitSeconds, out var waitError);
        if (waitError is not null)
        {
            return Problems.BadRequest("invalid_wait", waitError);
        }
        string? idempotencyKey = request.Headers[IntakeEndpoints.IdempotencyHeader];
        if (idempotencyKey is not null && (idempotencyKey.Length is 0 or > 200 || idempotencyKey.Any(c => c < 0x21 || c > 0x7e)))
        {
            return Problems.BadRequest("invalid_idempotency_key", "'Idempotency-Key' must be 1 to 200 visible ASCII characters.");
        }
        var body = await BodyReader.ReadAsync(context, Limits.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Problems.Create(413, "body_too_large", $"The request body is larger than the limit of {Limits.MaxBodyBytes} bytes.");
        }
        var verdict = JsonBodyInspector.Inspect(body, Limits.MaxJsonDepth);
        if (!verdict.IsValid)
        {
            return Problems.BadRequest(CodeFor(verdict.Problem), verdict.Message);
        }
        if (key.Jwt is not null && await tokens.VerifyAsync(key, body, site, cancellationToken) is { } tokenFailure)
        {
            return Unauthorized(context, tokenFailure);
        }
        if (idempotencyKey is not null && await FindRepeat(key.KeyId, idempotencyKey, cancellationToken) is { } repeated)
        {
            return Accepted(context, repeated);
        }
        var ingestion = new Ingestion
        {
            Id = Guid.CreateVersion7().ToString("N"),
            KeyId = key.KeyId,
            IntegrationId = integration.Id,
            SiteId = site.Id,
            Intake = intake,
            Body = body,
            IdempotencyKey = idempotencyKey,
            SourceAddress = context.Connection.RemoteIpAddress?.ToString(),
            Status = IngestionStatus.Pending,
            ReceivedAt = time.GetUtcNow(),
        };
        // A one-time token is spent in the same commit as the request it carried (API keys spend nothing: no tracker work).
        List<UsedToken> usedTokens = [];
        if (key.Jwt is { RejectReplayedTokens: true })
        {
            usedTokens = db.ChangeTracker.Entries<UsedToken>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
            db.ChangeTracker.Clear();
        }
        switch (await writer.WriteAsync(ingestion, usedTokens))
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
                    return Unauthorized(context, new AuthFailure(AuthFailureReason.InvalidToken, key.KeyId, TokenProblem.Replayed));
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
        var processed = signals.ProcessedAsync(refid);
        var deadline = time.GetUtcNow() + timeout;
        try
        {
            while (true)
            {
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
        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.Create(503, reason, message);
    }

    private IResult Unauthorized(HttpContext context, AuthFailure failure)
    {
        authenticator.RecordFailure(context, failure);
        return Problems.Create(401, "unauthorized", authenticator.MessageFor(failure.Reason));
    }

    private static IResult Accepted(HttpContext context, string refid)
    {
        context.Response.Headers.Location = $"/api/ingestions/{refid}";
        return TypedResults.Json(new IntakeAccepted(refid, "Accepted"), statusCode: StatusCodes.Status202Accepted);
    }

    private Task<string?> FindRepeat(int keyId, string idempotencyKey, CancellationToken cancellationToken) =>
        db.Ingestions.AsNoTracking().Where(i => i.KeyId == keyId && i.IdempotencyKey == idempotencyKey)
            .Select(i => i.Id).FirstOrDefaultAsync(cancellationToken);

    private static string CodeFor(JsonBodyProblem problem) => problem switch
    {
        JsonBodyProblem.Empty => "empty_body",
        JsonBodyProblem.TooDeep => "json_too_deep",
        JsonBodyProblem.DuplicateProperty => "duplicate_property",
        JsonBodyProblem.NotObjectOrArray => "body_not_object",
        JsonBodyProblem.InvalidUtf8 => "invalid_utf8",
        _ => "malformed_json",
    };
}

public static class BodyReader
{
    /// <summary>The whole body, or null as soon as it is known to exceed <paramref name="limit"/>.</summary>
    public static async Task<byte[]?> ReadAsync(HttpContext context, long limit, CancellationToken cancellationToken)
    {
        if (context.Request.ContentLength > limit)
        {
            return null;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = null; // enforced here, so the answer is our 413, not a reset
        }
        using var buffer = new MemoryStream(context.Request.ContentLength is { } length ? (int)length : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
