using System.Globalization;
using Gatehouse.Core.Intake;
using Gatehouse.Infrastructure;

namespace Gatehouse.Features.Webhooks;

/// <summary>The one error vocabulary of the webhook routes: the same code and message for the same fault on every route.</summary>
public static class WebhookProblems
{
    public static IResult NoIntegration(string name) => Problems.NotFound($"There is no integration '{name}'.");

    public static IResult NoSite(string name) => Problems.NotFound($"There is no site '{name}'.");

    public static IResult UnsupportedMediaType() =>
        Problems.Create(415, "unsupported_media_type", "Send the body as JSON with 'Content-Type: application/json'.");

    public static IResult TooLarge(long limit) =>
        Problems.Create(413, "body_too_large", $"The request body is larger than the limit of {limit} bytes.");

    public static IResult BadBody(JsonBodyVerdict verdict) => Problems.BadRequest(verdict.Problem switch
    {
        JsonBodyProblem.Empty => "empty_body",
        JsonBodyProblem.TooDeep => "json_too_deep",
        JsonBodyProblem.DuplicateProperty => "duplicate_property",
        JsonBodyProblem.NotObjectOrArray => "body_not_object",
        JsonBodyProblem.InvalidUtf8 => "invalid_utf8",
        _ => "malformed_json",
    }, verdict.Message);

    public static IResult CommandBodyNotObject() => Problems.BadRequest("body_not_object",
        "A remote-command body is a JSON object: {\"Username\", \"Site\", \"Timestamp\", \"CommandParams\": {...}}.");

    public static IResult Unavailable(HttpContext context, string code, string message, TimeSpan retryAfter)
    {
        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return Problems.Create(503, code, message);
    }
}
