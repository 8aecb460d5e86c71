using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gatehouse.Infrastructure.OpenApi;

/// <summary>
/// The one error shape (RFC 9457 with Gatehouse's members), as the schema <c>Problem</c>, on every 4xx an operation
/// can give: 400 where it reads a body or query, 401 and 403 where it needs a session or a role, 404 where its path
/// names something, 409 where it changes something.
/// </summary>
internal static class ProblemResponses
{
    public const string SchemaName = "Problem";

    public static Task ApplyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var document = context.Document!;
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas.TryAdd(SchemaName, Schema());
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var method = description.HttpMethod ?? "GET";
        var webhook = ("/" + description.RelativePath).StartsWith("/VSOC/", StringComparison.OrdinalIgnoreCase);
        var signedIn = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
        var administrators = metadata.OfType<IAuthorizeData>().Any(a => a.Policy == Features.Auth.Policies.Administrator);
        operation.Responses ??= new OpenApiResponses();
        var reads = operation.RequestBody is not null || description.ParameterDescriptions.Any(p => p.Source.Id == "Query") || webhook;
        Add(operation, document, "400", "The request is malformed or invalid: 'code' says how (validation_failed lists every violation in 'errors').", reads);
        Add(operation, document, "401", "No valid credentials (the precise reason is in the audit log, never in the answer).", signedIn || webhook);
        Add(operation, document, "403", administrators ? "Administrators only." : "Not allowed for your role or sites.", signedIn);
        Add(operation, document, "404", "What the path names does not exist, or you cannot see it.", description.ParameterDescriptions.Any(p => p.Source.Id == "Path"));
        Add(operation, document, "409", "A name is taken, or something still refers to what would change (the message says what).",
            signedIn && method is "POST" or "PUT" or "PATCH" or "DELETE");
        return Task.CompletedTask;
    }

    private static void Add(OpenApiOperation operation, OpenApiDocument document, string status, string description, bool applies)
    {
        if (!applies || operation.Responses!.ContainsKey(status))
        {
            return;
        }
        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(SchemaName, document) },
            },
        };
    }

    private static OpenApiSchema Schema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 9457 problem details; 'Error' repeats the message for existing clients; 'code' is stable for programs.",
        Required = new HashSet<string> { "status", "code", "Error" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = Text("A URI for the kind of problem."),
            ["title"] = Text("The HTTP status in words."),
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Description = "The HTTP status." },
            ["detail"] = Text("What is wrong, in plain words."),
            ["code"] = Text("A stable machine code: validation_failed, unknown_member, invalid_value, malformed_json, not_found, unauthorized, rate_limited, …"),
            ["Error"] = Text("The same message as 'detail'."),
            ["member"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "The member the problem is about, as the client wrote it (eventIntake.logSource)." },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Description = "Every violation (validation_failed and body problems).",
                Items = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string> { "message" },
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["member"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                        ["message"] = Text("The violation in plain words."),
                    },
                },
            },
            ["traceId"] = Text("The request's trace id, to find it in the server's log."),
        },
        Examples = [JsonNode.Parse("""
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"Bad Request","status":400,
             "detail":"'module' must be one of: DataIngestion, Integration, UtilityCommand.","code":"invalid_value",
             "Error":"'module' must be one of: DataIngestion, Integration, UtilityCommand.","member":"module",
             "errors":[{"member":"module","message":"'module' must be one of: DataIngestion, Integration, UtilityCommand."}]}
            """)!],
    };

    private static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };
}
