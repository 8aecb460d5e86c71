using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Intake;
using Gatehouse.Features.Webhooks;
using Microsoft.Extensions.Options;

namespace Gatehouse.Infrastructure;

/// <summary>
/// Reads an admin request's JSON object body under the same checks as webhook bodies — size, UTF-8,
/// depth, duplicate members, lone surrogates — and refuses NUL characters, which no text column can
/// store, so a bad body is a 400 that says why instead of a failure further in.
/// </summary>
public sealed class JsonBodies(IOptions<GatehouseOptions> options)
{
    public async Task<(JsonObject? Body, Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Refusal)> ReadObjectAsync(HttpContext context)
    {
        if (!ContentTypes.IsJson(context.Request.ContentType))
        {
            return (null, (Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult)WebhookProblems.UnsupportedMediaType());
        }
        var limits = options.Value.Intake;
        var bytes = await BodyReader.ReadAsync(context, limits.MaxBodyBytes, context.RequestAborted);
        if (bytes is null)
        {
            return (null, (Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult)WebhookProblems.TooLarge(limits.MaxBodyBytes));
        }
        var verdict = JsonBodyInspector.Inspect(bytes, limits.MaxJsonDepth);
        if (!verdict.IsValid)
        {
            return (null, (Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult)WebhookProblems.BadBody(verdict));
        }
        if (JsonNode.Parse(bytes, documentOptions: GatehouseJson.Document) is not JsonObject body)
        {
            return (null, Problems.BadRequest("body_not_object", "The body must be a JSON object."));
        }
        return HasNul(body)
            ? (null, Problems.BadRequest("invalid_character", "The body contains a NUL character (\\u0000), which no field can hold; remove it."))
            : (body, null);
    }

    private static bool HasNul(JsonNode? node) => node switch
    {
        JsonObject obj => obj.Any(p => p.Key.Contains('\0') || HasNul(p.Value)),
        JsonArray array => array.Any(HasNul),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>().Contains('\0'),
        _ => false,
    };
}
