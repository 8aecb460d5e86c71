using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gatehouse.Infrastructure.OpenApi;

/// <summary>
/// Enum values travel by name, so an enum's schema says it is a string; the generator lists <c>null</c> among the
/// values of an enum first met as a nullable member, which generators read as one more member: the member that may
/// be null says so itself (<c>oneOf: [null, $ref]</c>).
/// </summary>
internal static class EnumsByName
{
    public static Task ApplyAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
        if (!type.IsEnum || schema.Enum is not { Count: > 0 } values)
        {
            return Task.CompletedTask;
        }
        schema.Enum = values.Where(value => value is not null).ToList();
        schema.Type = JsonSchemaType.String;
        return Task.CompletedTask;
    }
}
