using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Gatehouse.Infrastructure.OpenApi;

/// <summary>
/// The OpenAPI document a client can be generated from: the three ways to authenticate (a bearer token for the
/// admin API, the <c>d3key</c> and <c>d3jwt</c> headers for webhooks, named as configured), which each operation
/// takes, and the one problem-details shape every 4xx answer has. The reference page at <c>/docs</c> loads nothing
/// from outside the server.
/// </summary>
public static class GatehouseOpenApi
{
    public const string Bearer = "bearer";
    public const string ApiKey = "d3key";
    public const string Jwt = "d3jwt";

    public static IServiceCollection AddGatehouseOpenApi(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.AddDocumentTransformer<SecuritySchemes>();
        options.AddOperationTransformer<OperationSecurity>();
        options.CreateSchemaReferenceId = AnyJson.ReferenceId;
        options.AddSchemaTransformer(NullableMembersOptional.ApplyAsync);
        options.AddSchemaTransformer(EnumsByName.ApplyAsync);
        options.AddOperationTransformer(ProblemResponses.ApplyAsync);
        options.AddOperationTransformer(WebhookOperations.ApplyAsync);
    });

    public static void MapGatehouseOpenApi(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference("/docs", options => options
            .WithTitle("Gatehouse API")
            .AddPreferredSecuritySchemes(Bearer)
            .WithProxy(null!)
            .DisableTelemetry()
            .DisableDefaultFonts()
            .DisableAgent()
            .DisableMcp()
            .HideClientButton());
    }

    private sealed class SecuritySchemes(IOptions<GatehouseOptions> gatehouse, PublicAddress address) : IOpenApiDocumentTransformer
    {
        public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
        {
            var webhooks = gatehouse.Value.Webhooks;
            // The generator names the request's Host as the server; a generated client would then call whatever host the
            // document was fetched through.
            document.Servers = [new OpenApiServer { Url = address.BaseUrl() }];
            document.Info.Title = "Gatehouse";
            document.Info.Description = "Admin API (sign in with POST /api/auth/token, then send 'Authorization: Bearer <token>') and the "
                + $"webhook routes under /VSOC/api (an API key in the '{webhooks.ApiKeyHeader}' header, or an HS256 JWT in '{webhooks.JwtHeader}'). "
                + "Every refusal is application/problem+json with 'code', 'Error' and, where one member is at fault, 'member'.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer",
                Description = "A session token from POST /api/auth/token {\"username\", \"password\"}.",
            };
            document.Components.SecuritySchemes[ApiKey] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = webhooks.ApiKeyHeader,
                Description = "A webhook key's value (method ApiKey): GET /api/keys/{id}/secret shows it to its creator or assigned user.",
            };
            document.Components.SecuritySchemes[Jwt] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = webhooks.JwtHeader,
                Description = "An HS256 JWT signed with a JWT key's secret, its header {\"alg\":\"HS256\",\"kid\":…} and its payload "
                    + "binding the body's fields (only while EnableEnhanceWebhookAuthentication is True).",
            };
            return Task.CompletedTask;
        }
    }

    /// <summary>Admin routes take the bearer token, webhook routes a key or a token, anonymous routes nothing.</summary>
    private sealed class OperationSecurity : IOpenApiOperationTransformer
    {
        public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            var path = "/" + (context.Description.RelativePath ?? "");
            var document = context.Document;
            if (path.StartsWith("/VSOC/", StringComparison.OrdinalIgnoreCase))
            {
                operation.Security = [Requirement(ApiKey, document), Requirement(Jwt, document)];
            }
            else if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
            {
                operation.Security = [Requirement(Bearer, document)];
                var administrators = metadata.OfType<IAuthorizeData>().Any(a => a.Policy == Features.Auth.Policies.Administrator || a.Roles == "Administrator");
                if (administrators)
                {
                    operation.Description = string.IsNullOrEmpty(operation.Description) ? "Administrators only." : $"{operation.Description} Administrators only.";
                }
            }
            return Task.CompletedTask;
        }

        private static OpenApiSecurityRequirement Requirement(string scheme, OpenApiDocument? document) =>
            new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };
    }
}
