using System.Text.Json.Nodes;
using Gatehouse.Core.Intake;
using Gatehouse.Features.Events;
using Gatehouse.Features.Incidents;
using Gatehouse.Features.Intake;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gatehouse.Infrastructure.OpenApi;

/// <summary>
/// The webhook routes read their body themselves (it is stored raw), so the document is told what they take and
/// answer: intake takes any JSON and answers 202 with a refid (200 with the result after <c>?wait=</c>); commands take
/// the vendor's envelope and answer its result shape; overload and limits answer with <c>Retry-After</c>.
/// </summary>
internal static class WebhookOperations
{
    public static Task ApplyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var path = "/" + context.Description.RelativePath;
        if (!path.StartsWith("/VSOC/", StringComparison.OrdinalIgnoreCase))
        {
            return Task.CompletedTask;
        }
        var intake = path.Contains("/Data/", StringComparison.OrdinalIgnoreCase);
        operation.Responses ??= new OpenApiResponses();
        operation.Parameters ??= [];
        if (intake)
        {
            Intake(operation, path.EndsWith("CreateIncidents", StringComparison.OrdinalIgnoreCase), IntakeAnswer(context.Document!));
        }
        else
        {
            Command(operation, context.Document!);
        }
        foreach (var (status, description) in new[] { ("413", "The body is larger than the limit."), ("415", "The body is not JSON (Content-Type application/json)."),
            ("429", "The key is over its rate limit: retry after Retry-After seconds."), ("503", "The node is past its bounds: retry after Retry-After seconds; nothing acknowledged is lost.") })
        {
            operation.Responses[status] = Problem(context.Document!, description, withRetryAfter: status is "429" or "503");
        }
        return Task.CompletedTask;
    }

    private static void Intake(OpenApiOperation operation, bool incidents, IOpenApiSchema answer)
    {
        operation.Summary ??= incidents ? "Push incidents (and their events) for an integration and site." : "Push events for an integration and site.";
        operation.Description = "The body is stored durably before the 202; the intake command's Main JSON Path selects the "
            + (incidents ? "incidents" : "events") + " in it. Authenticate with the key's header (API key or JWT).";
        operation.Parameters!.Add(new OpenApiParameter
        {
            Name = "wait", In = ParameterLocation.Query,
            Description = "Seconds to wait for processing (up to Gatehouse:Intake:MaxWaitSeconds, 60 by default); the answer is then 200 with the result.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" },
        });
        operation.Parameters.Add(Header("Prefer", "wait=<seconds>, as the wait query parameter."));
        operation.Parameters.Add(Header("Idempotency-Key", "A repeat with the same key answers the original refid and is not stored again."));
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "Any JSON the sender posts (Kibana's connector shown).",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new()
                {
                    Schema = new OpenApiSchema(),
                    Example = JsonNode.Parse("""{"hits":{"hits":{"_source":{"rawData":{"rule":{"name":"Malware Detected"}},"event.type":"alert","kibana.alert.severity":"high"}}}}"""),
                },
            },
        };
        operation.Responses!["202"] = Json("Stored; processing follows.", """{"refid":"01a2367bac2e7f8cb13ce0cbd1884ff6","status":"Accepted"}""", answer);
        operation.Responses["200"] = Json("With ?wait=: processed, with the events and incidents created, techniques, automation outcomes and per-event errors.",
            """{"refid":"01a2367bac2e7f8cb13ce0cbd1884ff6","status":"Processed","events":[{"id":1,"status":"New","fields":{"Title":"Malware Detected"}}],"incidents":[],"errors":[]}""",
            answer);
    }

    /// <summary>
    /// One schema for the 202 and the 200 (the ingestion's result, of which a 202 carries only refid and status), so a
    /// generated client takes both as success instead of throwing on the one that is not its first.
    /// </summary>
    private static IOpenApiSchema IntakeAnswer(OpenApiDocument document)
    {
        IOpenApiSchema ListOf(string component) => new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference(component, document) };
        return Component(document, "IntakeAnswer", new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "A 202 answers refid and status only; a 200 after ?wait= answers the whole result.",
            Required = new HashSet<string> { "refid", "status" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["refid"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The ingestion id: GET /api/ingestions/{refid}." },
                ["status"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "Accepted (202: stored, not processed yet), or the ingestion's status after ?wait=: Processed, Failed, Pending, Processing.",
                },
                [nameof(IngestionResult.Events).ToLowerInvariant()] = ListOf(nameof(EventView)),
                [nameof(IngestionResult.Incidents).ToLowerInvariant()] = ListOf(nameof(IncidentView)),
                [nameof(IngestionResult.Errors).ToLowerInvariant()] = ListOf(nameof(ExtractionError)),
                [nameof(IngestionResult.Deduplicated).ToLowerInvariant()] = ListOf(nameof(DeduplicatedEvent)),
                [nameof(IngestionResult.Dropped).ToLowerInvariant()] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        });
    }

    private static void Command(OpenApiOperation operation, OpenApiDocument document)
    {
        operation.Summary ??= "Run a remote command.";
        operation.Description = "CommandParams is checked against the command's declared parameters (GET /api/commands/{name}); every violation is listed in one 400.";
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new()
                {
                    Schema = Component(document, "CommandEnvelope", new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["Username"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The user the command runs as." },
                            ["Site"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The site it runs on (utility commands)." },
                            ["Timestamp"] = new OpenApiSchema { Description = "Epoch seconds (number or text), when the key's token binds it." },
                            ["CommandParams"] = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "Parameter values by display name ('Start Time')." },
                        },
                    }),
                    Example = JsonNode.Parse("""{"Username":"admin","Site":"Security Operations","CommandParams":{"Text":"Seen 10.1.2.3 and evil.example.com"}}"""),
                },
            },
        };
        operation.Responses!["200"] = Json("The command ran; 'error' is set when it ran and failed.",
            """{"error":"","returnData":{"IPs":["10.1.2.3"]},"rawData":null,"contextData":null}""",
            Component(document, "CommandAnswer", new OpenApiSchema
            {
                Type = JsonSchemaType.Object, Required = new HashSet<string> { "error" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["error"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["returnData"] = new OpenApiSchema(),
                    ["rawData"] = new OpenApiSchema(),
                    ["contextData"] = new OpenApiSchema(),
                },
            }));
    }

    private static IOpenApiSchema Component(OpenApiDocument document, string name, OpenApiSchema schema)
    {
        if (document.Components?.Schemas?.ContainsKey(name) != true)
        {
            document.AddComponent(name, schema);
        }
        return new OpenApiSchemaReference(name, document);
    }

    private static OpenApiParameter Header(string name, string description) =>
        new() { Name = name, In = ParameterLocation.Header, Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };

    private static OpenApiResponse Json(string description, string example, IOpenApiSchema schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema, Example = JsonNode.Parse(example) } },
    };

    private static OpenApiResponse Problem(OpenApiDocument document, string description, bool withRetryAfter) => new()
    {
        Description = description,
        Headers = withRetryAfter
            ? new Dictionary<string, IOpenApiHeader> { ["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } } }
            : null,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemResponses.SchemaName, document) },
        },
    };
}
