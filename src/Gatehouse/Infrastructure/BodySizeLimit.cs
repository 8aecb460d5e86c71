using Microsoft.Extensions.Options;

namespace Gatehouse.Infrastructure;

/// <summary>
/// Answers a declared Content-Length over the configured limit with a 413 problem before any
/// handler runs. Chunked bodies are held to the same limit by Kestrel and by the intake reader.
/// </summary>
public sealed class BodySizeLimit(RequestDelegate next, IOptions<GatehouseOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var limit = options.Value.Intake.MaxBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            var message = $"The request body is larger than the limit of {limit} bytes.";
            await Problems.Create(StatusCodes.Status413PayloadTooLarge, "body_too_large", message).ExecuteAsync(context);
            return;
        }
        await next(context);
    }
}
