using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gatehouse.Infrastructure.OpenApi;

/// <summary>
/// A member declared nullable (<c>string? Name</c>) may be left out: the generator lists every record member as
/// required, so nullable ones are taken off the list. Members a handler still insists on are said so in its
/// 400 (<c>'name' is required</c>); members that are always present in answers stay required.
/// </summary>
internal static class NullableMembersOptional
{
    public static Task ApplyAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Required is not { Count: > 0 } required)
        {
            return Task.CompletedTask;
        }
        foreach (var property in context.JsonTypeInfo.Properties.Where(p => p.IsGetNullable || p.IsSetNullable))
        {
            required.Remove(property.Name);
        }
        return Task.CompletedTask;
    }
}
