using Gatehouse.Core.Auth;
using Gatehouse.Features.Auth;
using Gatehouse.Features.Integrations;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Keys;

public static partial class KeysApi
{
    public static void MapKeysApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/keys").WithTags("Webhook keys").RequireAuthorization();
        group.MapGet("/", List);
        group.MapGet("/{id:int}", Get);
        group.MapPost("/", Create);
        group.MapGet("/{id:int}/secret", Reveal);
        group.MapPatch("/{id:int}", Patch);
        group.MapDelete("/{id:int}", Delete);
    }

    private static async Task<Ok<List<KeyView>>> List(
        GatehouseDb db, CurrentUser user, KeyPresenter presenter, CancellationToken cancellationToken)
    {
        var sites = await ViewerSites(db, user, cancellationToken);
        var keys = await LoadKeys(db).OrderBy(k => k.Id).ToListAsync(cancellationToken);
        var visible = keys.Where(k => CanSee(k, sites)).ToList();
        var usernames = await Usernames(db, visible, cancellationToken);
        return TypedResults.Ok(visible.Select(k => presenter.Present(k, sites, usernames)).ToList());
    }

    private static async Task<Results<Ok<KeyView>, ProblemHttpResult>> Get(
        int id, GatehouseDb db, CurrentUser user, KeyPresenter presenter, CancellationToken cancellationToken)
    {
        var sites = await ViewerSites(db, user, cancellationToken);
        var key = await LoadKeys(db).FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null || !CanSee(key, sites))
        {
            return KeyNotFound(id);
        }
        return TypedResults.Ok(presenter.Present(key, sites, await Usernames(db, [key], cancellationToken)));
    }

    private static async Task<Results<Created<KeyView>, ProblemHttpResult>> Create(
        KeyRequest request, GatehouseDb db, CurrentUser user, KeyPresenter presenter, SecretProtector protector,
        TimeProvider time, ILogger<KeyRequest> logger, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200 || name.Any(char.IsControl))
        {
            errors.Add("'name' is required (at most 200 characters).");
        }
        var module = request.Module ?? KeyModule.DataIngestion;
        if (module == KeyModule.UtilityCommand)
        {
            errors.Add("'module' UtilityCommand: utility-command keys are not available in this version yet; use DataIngestion or Integration.");
        }
        if ((request.Method ?? KeyMethod.ApiKey) == KeyMethod.Jwt)
        {
            errors.Add("'method' Jwt: JWT keys are not available in this version yet; use ApiKey.");
        }
        if (request.Intake is null)
        {
            errors.Add("'intake' is required: Event or Incident.");
        }
        Integration? integration = null;
        if (string.IsNullOrWhiteSpace(request.Integration))
        {
            errors.Add("'integration' is required.");
        }
        else if ((integration = await IntegrationsApi.Find(db, request.Integration, cancellationToken)) is null)
        {
            errors.Add($"There is no integration '{request.Integration}'.");
        }
        else if (request.Intake == IntakeKind.Incident && integration.IncidentIntakeJson is null)
        {
            errors.Add($"The integration '{integration.Name}' has no incident intake; define 'incidentIntake' on it first.");
        }
        Site? site = null;
        if ((request.Site is null) == (request.ShareTo is null))
        {
            errors.Add("Give exactly one of 'site' and 'shareTo' (AllInternalSites or AllClientSites).");
        }
        else if (request.Site is not null)
        {
            var normalized = Normalize.Name(request.Site);
            site = await db.Sites.FirstOrDefaultAsync(s => s.NormalizedName == normalized, cancellationToken);
            if (site is null)
            {
                errors.Add($"There is no site '{request.Site}'.");
            }
        }
        User? assigned = null;
        if (!string.IsNullOrWhiteSpace(request.AssignedUser))
        {
            var normalized = Normalize.Name(request.AssignedUser);
            assigned = await db.Users.FirstOrDefaultAsync(u => u.NormalizedUsername == normalized, cancellationToken);
            if (assigned is null)
            {
                errors.Add($"There is no user '{request.AssignedUser}'.");
            }
        }
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        if (site is not null && !await user.CanAccessSiteAsync(site.Id, cancellationToken))
        {
            return Problems.Forbidden($"You do not have access to the site '{site.Name}'.");
        }
        if (request.ShareTo is not null && !user.IsAdministrator)
        {
            return Problems.Forbidden("Only administrators can create keys shared to all sites of a kind.");
        }
        if (await db.WebhookKeys.AnyAsync(k => k.IntegrationId == integration!.Id && k.Intake == request.Intake && k.Name == name, cancellationToken))
        {
            return Problems.Conflict("key_exists", $"A key named '{name}' already exists for this intake.");
        }
        var value = WebhookSecrets.NewApiKey();
        var key = new WebhookKey
        {
            Name = name!,
            Module = module,
            Method = KeyMethod.ApiKey,
            SiteId = site?.Id,
            Site = site,
            ShareTo = request.ShareTo,
            IntegrationId = integration!.Id,
            Integration = integration,
            Intake = request.Intake,
            CreatedByUserId = user.Id,
            AssignedUserId = assigned?.Id,
            Enabled = request.Enabled ?? true,
            SecretHash = WebhookSecrets.Hash(value),
            SecretProtected = protector.Protect(value),
            CreatedAt = time.GetUtcNow(),
        };
        db.WebhookKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        LogKeyCreated(logger, key.Id, key.Name, user.Username);
        var sites = await ViewerSites(db, user, cancellationToken);
        return TypedResults.Created($"/api/keys/{key.Id}", presenter.Present(key, sites, await Usernames(db, [key], cancellationToken)));
    }

    private static async Task<Results<Ok<KeySecretView>, ProblemHttpResult>> Reveal(
        int id, GatehouseDb db, CurrentUser user, SecretProtector protector, ILogger<KeyRequest> logger, CancellationToken cancellationToken)
    {
        var sites = await ViewerSites(db, user, cancellationToken);
        var key = await LoadKeys(db).FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null || !CanSee(key, sites))
        {
            return KeyNotFound(id);
        }
        if (key.CreatedByUserId != user.Id && key.AssignedUserId != user.Id)
        {
            LogRevealRefused(logger, key.Id, user.Username);
            return Problems.Forbidden("Only the key's creator or its assigned user can see its value.");
        }
        LogRevealed(logger, key.Id, user.Username);
        return TypedResults.Ok(new KeySecretView(protector.Unprotect(key.SecretProtected)));
    }

    private static async Task<Results<Ok<KeyView>, ProblemHttpResult>> Patch(
        int id, KeyPatch patch, GatehouseDb db, CurrentUser user, KeyPresenter presenter, ILogger<KeyRequest> logger, CancellationToken cancellationToken)
    {
        var sites = await ViewerSites(db, user, cancellationToken);
        var key = await db.WebhookKeys.Include(k => k.Site).Include(k => k.Integration).FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null || !CanSee(key, sites))
        {
            return KeyNotFound(id);
        }
        var errors = new List<string>();
        if (patch.Name is not null)
        {
            var name = patch.Name.Trim();
            if (name.Length is 0 or > 200 || name.Any(char.IsControl))
            {
                errors.Add("'name' must have 1 to 200 characters.");
            }
            else if (await db.WebhookKeys.AnyAsync(k => k.Id != id && k.IntegrationId == key.IntegrationId && k.Intake == key.Intake && k.Name == name, cancellationToken))
            {
                return Problems.Conflict("key_exists", $"A key named '{name}' already exists for this intake.");
            }
            key.Name = name;
        }
        if (patch.AssignedUser is not null)
        {
            var normalized = Normalize.Name(patch.AssignedUser);
            var assigned = patch.AssignedUser.Length == 0 ? null : await db.Users.FirstOrDefaultAsync(u => u.NormalizedUsername == normalized, cancellationToken);
            if (patch.AssignedUser.Length > 0 && assigned is null)
            {
                errors.Add($"There is no user '{patch.AssignedUser}'.");
            }
            key.AssignedUserId = assigned?.Id;
        }
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        if (patch.Enabled is { } enabled)
        {
            key.Enabled = enabled;
        }
        await db.SaveChangesAsync(cancellationToken);
        LogKeyChanged(logger, key.Id, user.Username);
        return TypedResults.Ok(presenter.Present(key, sites, await Usernames(db, [key], cancellationToken)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        int id, GatehouseDb db, CurrentUser user, ILogger<KeyRequest> logger, CancellationToken cancellationToken)
    {
        var sites = await ViewerSites(db, user, cancellationToken);
        var key = await db.WebhookKeys.FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null || !CanSee(key, sites))
        {
            return KeyNotFound(id);
        }
        db.WebhookKeys.Remove(key);
        await db.SaveChangesAsync(cancellationToken);
        LogKeyDeleted(logger, id, user.Username);
        return TypedResults.NoContent();
    }

    private static IQueryable<WebhookKey> LoadKeys(GatehouseDb db) =>
        db.WebhookKeys.AsNoTracking().Include(k => k.Site).Include(k => k.Integration);

    private static async Task<List<Site>> ViewerSites(GatehouseDb db, CurrentUser user, CancellationToken cancellationToken)
    {
        var ids = await user.SiteIdsAsync(cancellationToken);
        return await db.Sites.AsNoTracking().Where(s => ids.Contains(s.Id)).ToListAsync(cancellationToken);
    }

    private static bool CanSee(WebhookKey key, IReadOnlyList<Site> viewerSites) =>
        viewerSites.Any(s => KeyScopeRules.ServesSite(key.Scope, s.Id, s.Kind));

    private static async Task<Dictionary<int, string>> Usernames(GatehouseDb db, IReadOnlyList<WebhookKey> keys, CancellationToken cancellationToken)
    {
        var ids = keys.Select(k => k.CreatedByUserId).Concat(keys.Where(k => k.AssignedUserId is not null).Select(k => k.AssignedUserId!.Value)).Distinct().ToList();
        return await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Username, cancellationToken);
    }

    private static ProblemHttpResult KeyNotFound(int id) => Problems.NotFound($"There is no key {id} that you can see.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook key {KeyId} '{KeyName}' created by {Username}")]
    private static partial void LogKeyCreated(ILogger logger, int keyId, string keyName, string username);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook key {KeyId} changed by {Username}")]
    private static partial void LogKeyChanged(ILogger logger, int keyId, string username);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook key {KeyId} deleted by {Username}")]
    private static partial void LogKeyDeleted(ILogger logger, int keyId, string username);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook key {KeyId} value revealed to {Username}")]
    private static partial void LogRevealed(ILogger logger, int keyId, string username);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook key {KeyId} value refused to {Username}: not creator or assigned user")]
    private static partial void LogRevealRefused(ILogger logger, int keyId, string username);
}
