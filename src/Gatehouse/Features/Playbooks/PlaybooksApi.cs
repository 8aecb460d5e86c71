using System.Text.Json.Nodes;
using Gatehouse.Core.Playbooks;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Playbooks;

/// <summary>A definition that passed every check create makes: what it would save.</summary>
public sealed record PlaybookCheck(string Name, PlaybookKind Kind, int Tasks);

public sealed record PlaybookVersionView(int Version, DateTimeOffset CreatedAt, string? CreatedBy);

public sealed record PlaybookView(
    int Id, string Name, PlaybookKind Kind, int Version, string? Description, JsonNode? Definition,
    DateTimeOffset UpdatedAt, string? UpdatedBy, IReadOnlyList<PlaybookVersionView>? Versions);

/// <summary>
/// <c>/api/playbooks</c>: definitions, checked when saved (every problem in one 400). Saving a
/// playbook again adds a version; runs keep the version they started with. Administrators write.
/// </summary>
public static class PlaybooksApi
{
    public static void MapPlaybooksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/playbooks").WithTags("Playbooks").RequireAuthorization();
        group.MapGet("/", List).WithName("ListPlaybooks").WithSummary("List the playbooks.").WithListPaging();
        group.MapGet("/{name}", Get).WithName("GetPlaybook").WithSummary("One playbook's current version, with its version list.");
        group.MapGet("/{name}/versions/{version:int}", GetVersion).WithName("GetPlaybookVersion").WithSummary("One earlier version of a playbook.");
        group.MapPost("/", Create).RequireAuthorization(Policies.Administrator).WithName("CreatePlaybook").WithSummary("Create a playbook: a graph of tasks, each running a command.");
        group.MapPost("/validate", Validate).RequireAuthorization(Policies.Administrator).WithName("ValidatePlaybook")
            .WithSummary("Check a playbook definition as create checks it (every problem in one 400), without saving it: the console's live validation.");
        group.MapPut("/{name}", Update).RequireAuthorization(Policies.Administrator).WithName("SavePlaybookVersion").WithSummary("Save a new version of a playbook.");
        group.MapDelete("/{name}", Delete).RequireAuthorization(Policies.Administrator)
            .WithName("RetirePlaybook").WithSummary("Retire a playbook: runs keep their versions; keys and rules still naming it log an error per event until changed.");
    }

    internal static async Task<Ok<List<PlaybookView>>> List(GatehouseDb db, CancellationToken cancellationToken)
    {
        var playbooks = await db.Playbooks.AsNoTracking().Where(p => !p.Deleted).OrderBy(p => p.Name)
            .Select(p => new { Playbook = p, Json = db.PlaybookVersions.Where(v => v.PlaybookId == p.Id && v.Version == p.CurrentVersion).Select(v => v.DefinitionJson).First() })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(playbooks.Select(p => View(p.Playbook, p.Json, null)).ToList());
    }

    internal static async Task<Results<Ok<PlaybookView>, ProblemHttpResult>> Get(string name, GatehouseDb db, CancellationToken cancellationToken)
    {
        var playbook = await FindAsync(db, name, cancellationToken);
        if (playbook is null)
        {
            return Problems.NotFound($"There is no playbook '{name}'.");
        }
        var versions = await db.PlaybookVersions.AsNoTracking().Where(v => v.PlaybookId == playbook.Id).OrderBy(v => v.Version).ToListAsync(cancellationToken);
        var current = versions.First(v => v.Version == playbook.CurrentVersion);
        return TypedResults.Ok(View(playbook, current.DefinitionJson, versions.Select(v => new PlaybookVersionView(v.Version, v.CreatedAt, v.CreatedBy)).ToList()));
    }

    internal static async Task<Results<Ok<PlaybookView>, ProblemHttpResult>> GetVersion(string name, int version, GatehouseDb db, CancellationToken cancellationToken)
    {
        var normalized = Normalize.Name(name);
        var playbook = await db.Playbooks.AsNoTracking().FirstOrDefaultAsync(p => p.NormalizedName == normalized, cancellationToken);
        var stored = playbook is null ? null
            : await db.PlaybookVersions.AsNoTracking().FirstOrDefaultAsync(v => v.PlaybookId == playbook.Id && v.Version == version, cancellationToken);
        return stored is null
            ? Problems.NotFound($"There is no version {version} of the playbook '{name}'.")
            : TypedResults.Ok(View(playbook!, stored.DefinitionJson, null) with { Version = version, UpdatedAt = stored.CreatedAt, UpdatedBy = stored.CreatedBy });
    }

    private static async Task<Results<Ok<PlaybookCheck>, ProblemHttpResult>> Validate(JsonNode? body, GatehouseDb db, PlaybookLibrary library, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var definition = await library.ParseAsync(db, body, errors, cancellationToken);
        return definition is null || errors.Count > 0 ? Problems.Invalid(errors) : TypedResults.Ok(new PlaybookCheck(definition.Name, definition.Kind, definition.Tasks.Count));
    }

    private static async Task<Results<Created<PlaybookView>, ProblemHttpResult>> Create(
        JsonNode? body, GatehouseDb db, PlaybookLibrary library, PlaybookSecrets secrets, CurrentUser user, Audit.AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var definition = await library.ParseAsync(db, body, errors, cancellationToken);
        if (definition is not null)
        {
            await secrets.ProtectAsync(db, body!, null, errors, cancellationToken);
        }
        if (definition is null || errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var normalized = Normalize.Name(definition.Name);
        var playbook = await db.Playbooks.FirstOrDefaultAsync(p => p.NormalizedName == normalized, cancellationToken);
        if (playbook is { Deleted: false })
        {
            return Duplicates.Playbook(playbook.Name);
        }
        var now = time.GetUtcNow();
        if (playbook is null)
        {
            playbook = new Playbook { Name = definition.Name, NormalizedName = normalized, CreatedAt = now };
            db.Playbooks.Add(playbook);
        }
        // A deleted playbook's name is taken again: its old versions stay for the runs that used them.
        AddVersion(playbook, definition, body!, user.Username, now);
        await audit.SaveCreatedAsync(Audit.AuditActions.PlaybookCreated,
            () => (playbook.Name, new { playbook.Name, playbook.Kind, Version = playbook.CurrentVersion, Tasks = definition.Tasks.Select(t => new { t.Id, t.Command }) }, null),
            cancellationToken);
        return TypedResults.Created($"/api/playbooks/{Uri.EscapeDataString(playbook.Name)}", View(playbook, body!.ToJsonString(), null));
    }

    internal static async Task<Results<Ok<PlaybookView>, ProblemHttpResult>> Update(
        string name, JsonNode? body, GatehouseDb db, PlaybookLibrary library, PlaybookSecrets secrets, CurrentUser user, Audit.AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var playbook = await FindAsync(db, name, cancellationToken, tracked: true);
        if (playbook is null)
        {
            return Problems.NotFound($"There is no playbook '{name}'.");
        }
        var errors = new List<string>();
        var definition = await library.ParseAsync(db, body, errors, cancellationToken);
        if (definition is not null && Normalize.Name(definition.Name) != playbook.NormalizedName)
        {
            errors.Add($"name: this saves a new version of '{playbook.Name}'; it cannot be renamed.");
        }
        if (definition is not null && definition.Kind != playbook.Kind)
        {
            errors.Add($"kind: '{playbook.Name}' is an {playbook.Kind} playbook; keys and rules rely on that.");
        }
        if (definition is not null)
        {
            var current = await db.PlaybookVersions.AsNoTracking().Where(v => v.PlaybookId == playbook.Id && v.Version == playbook.CurrentVersion)
                .Select(v => v.DefinitionJson).FirstOrDefaultAsync(cancellationToken);
            await secrets.ProtectAsync(db, body!, current, errors, cancellationToken);
        }
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var before = playbook.CurrentVersion;
        AddVersion(playbook, definition!, body!, user.Username, time.GetUtcNow());
        // The definitions themselves are kept as versions (GET …/versions/N, secrets redacted): the row names both.
        audit.Record(Audit.AuditActions.PlaybookUpdated, target: playbook.Name, detail: new { From = new { Version = before }, To = new { Version = playbook.CurrentVersion } });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(View(playbook, body!.ToJsonString(), null));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string name, GatehouseDb db, Audit.AuditLog audit, CancellationToken cancellationToken)
    {
        var playbook = await FindAsync(db, name, cancellationToken, tracked: true);
        if (playbook is null)
        {
            return Problems.NotFound($"There is no playbook '{name}'.");
        }
        var keys = await db.WebhookKeys.Where(k => k.EventPlaybook == playbook.Name).Select(k => k.Name).OrderBy(n => n).ToListAsync(cancellationToken);
        playbook.Deleted = true;
        audit.Record(Audit.AuditActions.PlaybookDeleted, target: playbook.Name, detail: new { playbook.Kind, Version = playbook.CurrentVersion, StillNamedByKeys = keys });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static void AddVersion(Playbook playbook, PlaybookDefinition definition, JsonNode body, string author, DateTimeOffset now)
    {
        playbook.Name = definition.Name;
        playbook.Kind = definition.Kind;
        playbook.Deleted = false;
        playbook.CurrentVersion++;
        playbook.UpdatedAt = now;
        playbook.UpdatedBy = author;
        playbook.Versions.Add(new PlaybookVersion { Version = playbook.CurrentVersion, DefinitionJson = body.ToJsonString(), CreatedAt = now, CreatedBy = author });
    }

    private static Task<Playbook?> FindAsync(GatehouseDb db, string name, CancellationToken cancellationToken, bool tracked = false)
    {
        var normalized = Normalize.Name(name);
        var query = tracked ? db.Playbooks : db.Playbooks.AsNoTracking();
        return query.FirstOrDefaultAsync(p => p.NormalizedName == normalized && !p.Deleted, cancellationToken);
    }

    private static PlaybookView View(Playbook playbook, string json, IReadOnlyList<PlaybookVersionView>? versions)
    {
        var definition = PlaybookSecrets.Redact(GatehouseJson.ParseStored(json));
        var description = definition?["description"] is JsonValue d && d.TryGetValue<string>(out var text) ? text : null;
        return new PlaybookView(playbook.Id, playbook.Name, playbook.Kind, playbook.CurrentVersion, description, definition, playbook.UpdatedAt, playbook.UpdatedBy, versions);
    }
}
