using Gatehouse.Core.Intake;
using Gatehouse.Core.Outbound;

namespace Gatehouse.Core.Commands;

/// <summary>A command an integration declares: parameters, an HTTP request template, and where returnData is in the answer.</summary>
public sealed record IntegrationCommand(
    string Name,
    string? Description,
    List<CommandParameter>? Parameters,
    RequestTemplate Request,
    string? ReturnDataPath,
    int? TimeoutSeconds = null)
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    public CommandDefinition Definition => new(Name, Description ?? "", Parameters ?? [], TimeoutSeconds ?? CommandDefinition.DefaultTimeoutSeconds);

    /// <summary>Every problem of a set of integration commands, prefixed with its position.</summary>
    public static void Validate(IReadOnlyList<IntegrationCommand> commands, ICollection<string> errors)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < commands.Count; i++)
        {
            var command = commands[i];
            var label = $"commands[{i}]";
            if (command is null)
            {
                errors.Add($"{label}: a command is an object: {{\"name\", \"request\", \"parameters\", …}}.");
                continue;
            }
            if (string.IsNullOrWhiteSpace(command.Name) || command.Name.Length > 200 || command.Name.Any(c => char.IsControl(c) || c is '/' or '\\'))
            {
                errors.Add($"{label}: 'name' is required, without '/', '\\' or control characters.");
            }
            else if (!names.Add(command.Name))
            {
                errors.Add($"{label}: the command '{command.Name}' is declared twice.");
            }
            if (command.TimeoutSeconds is < 1 or > CommandDefinition.MaxTimeoutSeconds)
            {
                errors.Add($"{label}: 'timeoutSeconds' must be between 1 and {CommandDefinition.MaxTimeoutSeconds}.");
            }
            if (command.Request is null)
            {
                errors.Add($"{label}: 'request' is required.");
                continue;
            }
            if (!Methods.Contains(command.Request.Method?.ToUpperInvariant()))
            {
                errors.Add($"{label}: 'request.method' must be one of {string.Join(", ", Methods)}.");
            }
            var path = command.Request.Path ?? "";
            if (!path.StartsWith('/') || path.StartsWith("//", StringComparison.Ordinal) || path.Contains("://", StringComparison.Ordinal) || path.Contains("..", StringComparison.Ordinal)
                || path.Any(char.IsControl))
            {
                errors.Add($"{label}: 'request.path' must be a path relative to the connection's base URL, starting with '/', without control characters (CR, LF).");
            }
            // JSON nulls where text or a parameter is expected: refused here, before anything templates with them.
            if (command.Request.Path is null || (command.Request.Query ?? []).Values.Any(v => v is null) || (command.Request.Headers ?? []).Values.Any(v => v is null)
                || (command.Parameters ?? []).Any(p => p is null))
            {
                errors.Add($"{label}: 'request.path', the values of 'request.query' and 'request.headers', and each of 'parameters' must be given (not null).");
                continue;
            }
            foreach (var header in (command.Request.Headers ?? []).Keys.Where(h => !RequestTemplates.IsHeaderName(h) || RequestTemplates.IsFramingHeader(h)))
            {
                errors.Add($"{label}: 'request.headers' cannot set '{header}': it must be a header name, and not one that frames the request or picks its host ({string.Join(", ", RequestTemplates.FramingHeaders)}).");
            }
            var declared = (command.Parameters ?? []).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var unknown in RequestTemplates.Placeholders(command.Request).Where(p => !declared.Contains(p)))
            {
                errors.Add($"{label}: the placeholder {{{{{unknown}}}}} names no declared parameter.");
            }
            if (command.ReturnDataPath is not null && !JsonPath.TryParse(command.ReturnDataPath, out _, out var pathError))
            {
                errors.Add($"{label}: 'returnDataPath': {pathError}.");
            }
        }
    }
}
