using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gatehouse.Infrastructure.OpenApi;

/// <summary>
/// A member declared nullable (<c>string? Name</c>) may be left out: the generator lists every record member as
/// required, so nullable ones are taken off the list, unless the record marks them <c>[Required]</c> (a member its
/// handler insists on, whose absence is a 400 naming it). Members that are always present in answers stay required.
/// </summary>
internal static class NullableMembersOptional
{
    public static Task ApplyAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var property in context.JsonTypeInfo.Properties)
        {
            var insisted = property.AttributeProvider?.IsDefined(typeof(RequiredAttribute), inherit: true) == true;
            if (insisted)
            {
                schema.Required ??= new HashSet<string>();
                schema.Required.Add(property.Name);
            }
            else if ((property.IsGetNullable || property.IsSetNullable) && schema.Required is { } required)
            {
                required.Remove(property.Name);
            }
        }
        return Task.CompletedTask;
    }
}
