using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Gatehouse.Infrastructure;

/// <summary>
/// The one error contract: RFC 9457 problem details plus, for existing clients, an <c>Error</c>
/// member with the same message and a stable machine <c>code</c>.
/// </summary>
public static class Problems
{
    public static ProblemHttpResult Create(int status, string code, string message, IDictionary<string, object?>? extra = null)
    {
        var extensions = new Dictionary<string, object?>(extra ?? new Dictionary<string, object?>())
        {
            ["code"] = code,
            ["Error"] = message,
        };
        return TypedResults.Problem(detail: message, statusCode: status, extensions: extensions);
    }

    public static ProblemHttpResult BadRequest(string code, string message) => Create(400, code, message);

    /// <summary>
    /// A 400 that lists every violation as <c>errors[]</c> of <c>{member, message}</c>; with one violation its member is
    /// also the problem's <c>member</c>, as for a body that could not be bound.
    /// </summary>
    public static ProblemHttpResult Invalid(IReadOnlyCollection<string> errors)
    {
        var violations = Violations.From(errors);
        errors = violations.Select(v => v.Message).ToList();
        var extra = new Dictionary<string, object?> { ["errors"] = violations };
        if (violations is [{ Member: { } member }])
        {
            extra["member"] = member;
        }
        return Create(400, "validation_failed",
            errors.Count == 1 ? errors.First() : $"The request has {errors.Count} problems: {string.Join(" ", errors)}", extra);
    }

    public static ProblemHttpResult NotFound(string message) => Create(404, "not_found", message);

    public static ProblemHttpResult Conflict(string code, string message) => Create(409, code, message);

    public static ProblemHttpResult Forbidden(string message) => Create(403, "forbidden", message);

    /// <summary>429 with Retry-After in whole seconds (at least one).</summary>
    public static ProblemHttpResult RateLimited(HttpContext context, TimeSpan retryAfter)
    {
        var seconds = RetryAfter(context, retryAfter);
        return Create(429, "rate_limited", $"This key is over its rate limit; retry after {seconds} s.");
    }

    public static ProblemHttpResult TooManySignIns(HttpContext context, TimeSpan retryAfter)
    {
        var seconds = RetryAfter(context, retryAfter);
        return Create(429, "sign_in_throttled", $"Too many failed sign-ins; try again in {seconds} s.");
    }

    /// <summary>503 with Retry-After: the work was refused to keep the node responsive, and may be asked again.</summary>
    public static ProblemHttpResult Busy(HttpContext context, TimeSpan retryAfter, string what)
    {
        var seconds = RetryAfter(context, retryAfter);
        return Create(503, "busy", $"{what}; try again in {seconds} s.");
    }

    /// <summary>Sets <c>Retry-After</c> in whole seconds (at least 1) and returns them.</summary>
    public static int RetryAfter(HttpContext context, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return seconds;
    }

    /// <summary>Codes for responses the framework writes itself (routing, binding, limits).</summary>
    public static string CodeFor(int status) => status switch
    {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "body_too_large",
        415 => "unsupported_media_type",
        429 => "rate_limited",
        503 => "unavailable",
        _ => status >= 500 ? "internal_error" : "error",
    };

    /// <summary>Writes a problem from middleware or an authentication handler, where there is no endpoint result to return.</summary>
    public static async Task WriteAsync(HttpContext context, int status, string message, string? code = null)
    {
        context.Response.StatusCode = status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Detail = message, Extensions = { ["code"] = code ?? CodeFor(status), ["Error"] = message } },
        });
    }

    public static void AddGatehouseProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            problem.Extensions.TryAdd("code", CodeFor(status));
            problem.Extensions.TryAdd("Error", problem.Detail ?? problem.Title);
            problem.Extensions.Remove("exception");
        });
        services.AddExceptionHandler<GatehouseExceptionHandler>();
    }
}

/// <summary>
/// Turns the framework's bad-request exceptions into their 4xx, a unique index's refusal into a 409,
/// and anything else into a 500 that reveals nothing.
/// </summary>
public sealed partial class GatehouseExceptionHandler(IProblemDetailsService problems, ILogger<GatehouseExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails problem;
        if (exception is BadHttpRequestException bad)
        {
            problem = (bad.StatusCode == 400 ? RequestBodyProblems.Describe(httpContext, bad) : null)
                ?? Problem(bad.StatusCode, bad.StatusCode == 413 ? "The request body is larger than the configured limit." : "The request could not be read.");
        }
        else if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            return true;
        }
        else if (exception is Features.Incidents.IncidentConflictException conflict)
        {
            problem = Problem(409, conflict.Message);
        }
        else if (Storage.DatabaseErrors.FindUniqueViolation(exception) is { } violation)
        {
            // Concurrent creates of one name all pass the endpoint's check; the unique index refuses all
            // but one, and each of those gets the 409 the check would have given.
            problem = Duplicates.Of(exception, violation).ProblemDetails;
        }
        else if (Storage.DatabaseErrors.IsUnstorableText(exception))
        {
            problem = Problem(400, "The request contains a NUL character (\\u0000) in a name or value Gatehouse looks up or stores; remove it.");
            problem.Extensions["code"] = "invalid_character";
        }
        else
        {
            problem = Problem(500, "An internal error occurred. It has been logged.");
            LogUnhandled(logger, httpContext.Request.Method, httpContext.Request.Path, exception);
        }
        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails Problem(int status, string message)
    {
        var problem = new ProblemDetails { Status = status, Detail = message };
        problem.Extensions["code"] = Problems.CodeFor(status);
        problem.Extensions["Error"] = message;
        return problem;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, PathString path, Exception exception);
}
