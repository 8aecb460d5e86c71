using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Gatehouse.Infrastructure;

/// <summary>
/// A request body the admin API could not bind, in plain words and with the member it is about: an unknown member
/// with the known ones, an enum value with the allowed ones, a wrong type with the expected one, malformed JSON
/// with its line and position. Never a .NET type name.
/// </summary>
public static partial class RequestBodyProblems
{
    public static ProblemDetails? Describe(HttpContext context, BadHttpRequestException bad)
    {
        if (QueryParameter().Match(bad.Message) is { Success: true } query)
        {
            var name = char.ToLowerInvariant(query.Groups["name"].Value[0]) + query.Groups["name"].Value[1..];
            var value = query.Groups["value"].Value;
            var shown = value.Length > 60 ? value[..60] + "…" : value;
            return Problem("invalid_value", $"'{name}' cannot be '{shown}': it {ExpectationOf(query.Groups["type"].Value)}.", name);
        }
        if (bad.InnerException is not JsonException json)
        {
            return bad.Message.Contains("request body", StringComparison.OrdinalIgnoreCase) || bad.Message.Contains("body was", StringComparison.OrdinalIgnoreCase)
                ? Problem("empty_body", "The request needs a JSON object body.", null)
                : null;
        }
        var member = Member(json.Path);
        // The exception handler runs with the endpoint cleared; the feature keeps the one that failed.
        var endpoint = context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Endpoint ?? context.GetEndpoint();
        var requestType = endpoint?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        var options = context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var info = requestType is null ? null : options.GetTypeInfo(requestType);
        if (json.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal) && member is not null)
        {
            var parent = json.Path!.LastIndexOf('.') is > 1 and var dot ? Property(info, json.Path[..dot]) : null;
            var owner = parent is null ? info : TypeInfo(info!.Options, parent.PropertyType);
            var known = owner?.Properties.Select(p => p.Name).ToList() ?? [];
            return Problem("unknown_member",
                $"'{member}' is not a member of this request{(known.Count > 0 ? $"; known members: {string.Join(", ", known)}" : "")}.", member);
        }
        if (json.Message.Contains("uplicate", StringComparison.Ordinal) && member is not null)
        {
            return Problem("duplicate_member", $"'{member}' is given more than once (member names ignore case); give each member once.", member);
        }
        var property = member is null || !json.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal) ? null : Property(info, json.Path!);
        if (property is not null)
        {
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            // "$.sites[0]": the value is an item of the list, so it must be what the list holds.
            if (json.Path!.EndsWith(']') && type.IsGenericType && type.GetGenericArguments() is [var item])
            {
                type = Nullable.GetUnderlyingType(item) ?? item;
            }
            return Problem("invalid_value", $"'{member}' {Expectation(type)}.", member);
        }
        var where = json.LineNumber is { } line ? $" (line {line + 1}, position {(json.BytePositionInLine ?? 0) + 1})" : "";
        return Problem("malformed_json", $"The body is not valid JSON{where}{(member is null ? "" : $" at '{member}'")}.", member);
    }

    /// <summary>What a query or route value must be, from the type the framework names ("int?", "AuditOrder?", "DateTimeOffset").</summary>
    private static string ExpectationOf(string typeName)
    {
        var name = typeName.StartsWith("Nullable<", StringComparison.Ordinal) ? typeName[9..^1] : typeName.TrimEnd('?');
        name = name[(name.LastIndexOf('.') + 1)..];
        var type = name switch
        {
            "int" or "Int32" => typeof(int),
            "long" or "Int64" => typeof(long),
            "bool" or "Boolean" => typeof(bool),
            "double" or "decimal" => typeof(double),
            "DateTimeOffset" or "DateTime" => typeof(DateTimeOffset),
            _ => EnumNamed(name),
        };
        return type is null ? $"is not a value of the right kind ({typeName})" : Expectation(type);
    }

    private static Type? EnumNamed(string name) =>
        new[] { typeof(RequestBodyProblems).Assembly, typeof(Core.Auth.KeyModule).Assembly }
            .SelectMany(a => a.GetTypes()).FirstOrDefault(t => t.IsEnum && t.Name == name);

    [System.Text.RegularExpressions.GeneratedRegex("^Failed to bind parameter \"(?<type>[^\" ]+) (?<name>\\w+)\" from \"(?<value>.*)\"\\.?$", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex QueryParameter();

    private static string Expectation(Type type) => type switch
    {
        { IsEnum: true } => $"must be one of: {string.Join(", ", Enum.GetNames(type))}",
        _ when type == typeof(string) => "must be text",
        _ when type == typeof(bool) => "must be true or false",
        _ when type == typeof(int) || type == typeof(long) => "must be a whole number",
        _ when type == typeof(double) || type == typeof(decimal) => "must be a number",
        _ when type == typeof(DateTimeOffset) => "must be a date and time (ISO 8601)",
        _ when type != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(type)
            && !type.Name.Contains("Dictionary", StringComparison.Ordinal) => "must be a list",
        _ => "must be an object",
    };

    /// <summary>The property a path names (<c>$.eventIntake.logSource.product</c>), following nested objects.</summary>
    private static JsonPropertyInfo? Property(JsonTypeInfo? info, string path)
    {
        var names = path.TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries).Select(n => n.Split('[')[0]).ToList();
        JsonPropertyInfo? property = null;
        foreach (var name in names)
        {
            property = info?.Properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                return null;
            }
            info = TypeInfo(info!.Options, property.PropertyType);
        }
        return property;
    }

    /// <summary>The members of an object type (a record or class, not text, a list or a value).</summary>
    private static JsonTypeInfo? TypeInfo(JsonSerializerOptions options, Type propertyType)
    {
        var type = Nullable.GetUnderlyingType(propertyType) ?? propertyType;
        return type.IsClass && type != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(type) ? options.GetTypeInfo(type) : null;
    }

    /// <summary>The member a JSON path names, as the client wrote it: <c>$.eventIntake.logSource</c> → eventIntake.logSource.</summary>
    private static string? Member(string? path) => string.IsNullOrEmpty(path) || path == "$" ? null : path.TrimStart('$').TrimStart('.');

    private static ProblemDetails Problem(string code, string message, string? member)
    {
        var problem = new ProblemDetails { Status = 400, Title = "Bad Request", Detail = message };
        problem.Extensions["code"] = code;
        problem.Extensions["Error"] = message;
        if (member is not null)
        {
            problem.Extensions["member"] = member;
        }
        problem.Extensions["errors"] = new[] { new Violation(member, message) };
        return problem;
    }
}
