using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Infrastructure;

/// <summary>
/// The one 409 for each name that must be unique, with the request <c>member</c> it is about. The
/// endpoint's own check answers it; when concurrent requests all pass that check, the unique index
/// refuses the losers and the exception handler answers them the same, from the row it refused.
/// </summary>
public static class Duplicates
{
    public static ProblemHttpResult Site(string name) => Exists("site_exists", "name", $"A site named '{name}' already exists.");

    public static ProblemHttpResult User(string username) => Exists("user_exists", "username", $"A user named '{username}' already exists.");

    public static ProblemHttpResult Integration(string name) => Exists("integration_exists", "name", $"An integration named '{name}' already exists.");

    public static ProblemHttpResult Command(string name) => Exists("command_exists", "name", $"A utility command named '{name}' already exists.");

    public static ProblemHttpResult Playbook(string name) =>
        Exists("playbook_exists", "name", $"A playbook named '{name}' exists; save a new version with PUT /api/playbooks/{{name}}.");

    /// <summary>Key names are unique per target by the endpoint's check only (no index).</summary>
    public static ProblemHttpResult Key(string name) => Exists("key_exists", "name", $"A key named '{name}' already exists for this target.");

    /// <summary>
    /// The 409 for a unique violation: the named thing's own answer when the refused row is one of
    /// the above, else a generic <c>conflict</c>.
    /// </summary>
    public static ProblemHttpResult Of(Exception exception, UniqueViolation violation)
    {
        var rows = exception is DbUpdateException update
            ? update.Entries.Where(e => violation.Table is null || string.Equals(e.Metadata.GetTableName(), violation.Table, StringComparison.OrdinalIgnoreCase))
                .Select(e => e.Entity)
            : [];
        return rows.Select(Named).FirstOrDefault(problem => problem is not null)
            ?? Problems.Conflict("conflict", "A value that must be unique is already taken, perhaps by a request made at the same moment; reload and try again.");
    }

    private static ProblemHttpResult? Named(object row) => row switch
    {
        Storage.Site site => Site(site.Name),
        Storage.User user => User(user.Username),
        Storage.Integration integration => Integration(integration.Name),
        CustomCommand command => Command(command.Name),
        Storage.Playbook playbook => Playbook(playbook.Name),
        _ => null,
    };

    private static ProblemHttpResult Exists(string code, string member, string message) =>
        Problems.Create(409, code, message, new Dictionary<string, object?> { ["member"] = member });
}
