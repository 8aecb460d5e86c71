using System.Collections;
using System.Globalization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gatehouse.Infrastructure;

/// <summary>
/// Configuration lists (users, sites, keys, rules, …) answer a JSON array, whole and in a stable order, as clients of the
/// vendor's API expect. <c>?page=&amp;pageSize=</c> answers one page of that array instead, with the whole count in
/// <c>X-Total-Count</c> and the neighbouring pages in an RFC 8288 <c>Link</c> header.
/// </summary>
public static class ListPaging
{
    public const string TotalHeader = "X-Total-Count";

    public static RouteHandlerBuilder WithListPaging(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(PageAsync).AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(Query("page", "Page number, from 1; give it (or pageSize) to page the list."));
            operation.Parameters.Add(Query("pageSize", $"Items per page, 1 to {Paging.MaxSize} ({Paging.DefaultSize} when only page is given)."));
            if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse response)
            {
                response.Headers ??= new Dictionary<string, IOpenApiHeader>();
                response.Headers[TotalHeader] = new OpenApiHeader
                {
                    Description = "How many items the whole list has (sent when the list is paged).",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
                };
            }
            return Task.CompletedTask;
        });

    private static async ValueTask<object?> PageAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        if (!request.Query.ContainsKey("page") && !request.Query.ContainsKey("pageSize"))
        {
            return await next(context);
        }
        var errors = new List<string>();
        var paging = Paging.From(Whole(request.Query, "page", errors), Whole(request.Query, "pageSize", errors), errors);
        if (paging is not { } page || errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var answer = await next(context);
        var inner = answer is INestedHttpResult nested ? nested.Result : answer;
        if (inner is not (IValueHttpResult { Value: IList items } and IStatusCodeHttpResult { StatusCode: StatusCodes.Status200OK }))
        {
            return answer;
        }
        var headers = context.HttpContext.Response.Headers;
        headers[TotalHeader] = items.Count.ToString(CultureInfo.InvariantCulture);
        var links = new List<string>();
        if (page.Number > 1)
        {
            var last = Math.Max(1, (items.Count + page.Size - 1) / page.Size);
            links.Add(Link(request, Math.Min(page.Number - 1, last), page.Size, "prev"));
        }
        if (page.Skip + page.Size < items.Count)
        {
            links.Add(Link(request, page.Number + 1, page.Size, "next"));
        }
        if (links.Count > 0)
        {
            headers.Link = string.Join(", ", links);
        }
        return TypedResults.Ok(items.Cast<object?>().Skip(page.Skip).Take(page.Size).ToList());
    }

    private static int? Whole(IQueryCollection query, string name, List<string> errors)
    {
        if (!query.TryGetValue(name, out var values))
        {
            return null;
        }
        // Digits only: int.TryParse would also take a trailing NUL.
        if (values is [{ Length: > 0 and <= 9 } text] && text.All(char.IsAsciiDigit) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }
        errors.Add($"'{name}' must be a whole number, given once.");
        return null;
    }

    private static string Link(HttpRequest request, int number, int size, string relation)
    {
        var query = request.Query
            .Where(q => !q.Key.Equals("page", StringComparison.OrdinalIgnoreCase) && !q.Key.Equals("pageSize", StringComparison.OrdinalIgnoreCase))
            .SelectMany(q => q.Value.Select(v => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(v ?? "")}"))
            .Append($"page={number}").Append($"pageSize={size}");
        return $"<{RequestedPath(request)}?{string.Join('&', query)}>; rel=\"{relation}\"";
    }

    /// <summary>
    /// The path as the client wrote it: the decoded <see cref="HttpRequest.Path"/> loses the difference between a '%'
    /// in a name and an escape, so a link rebuilt from it could name another resource. Anything a header must not
    /// carry is escaped.
    /// </summary>
    private static string RequestedPath(HttpRequest request)
    {
        var raw = request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget;
        if (raw is not ['/', ..])
        {
            return string.Join('/', ((string)(request.PathBase + request.Path)).Split('/').Select(Uri.EscapeDataString));
        }
        var path = raw.Split('?', 2)[0];
        var written = new System.Text.StringBuilder(path.Length);
        foreach (var rune in path.EnumerateRunes())
        {
            written.Append(rune.IsAscii && (char.IsAsciiLetterOrDigit((char)rune.Value) || "-._~!$&'()*+,;=:@/%".Contains((char)rune.Value))
                ? rune.ToString()
                : Uri.EscapeDataString(rune.ToString()));
        }
        return written.ToString();
    }

    private static OpenApiParameter Query(string name, string description) => new()
    {
        Name = name, In = ParameterLocation.Query, Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" },
    };
}
