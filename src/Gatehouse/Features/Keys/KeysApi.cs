using Gatehouse.Core.Auth;
using Gatehouse.Features.Audit;
using Gatehouse.Features.Auth;
using Gatehouse.Features.Settings;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Keys;

public static class KeysApi
{
    public static void MapKeysApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/keys").WithTags("Webhook keys").RequireAuthorization();
        group.MapGet("/", List).WithName("ListKeys").WithSummary("List the webhook keys you can see.").WithListPaging();
        group.MapGet("/{id:int}", Get).WithName("GetKey").WithSummary("One key: request URLs per site, header key, JWT header and payload template, options.");
        group.MapPost("/", Create).WithName("CreateKey").WithSummary("Create a webhook key (API key or JWT) for an intake or a command.");
        group.MapPatch("/{id:int}", Patch).WithName("UpdateKey").WithSummary("Rename, assign, enable or disable a key, or change its options.");
        group.MapPost("/{id:int}/regenerate", Regenerate).WithName("RegenerateKey").WithSummary("Replace a key's value, at once or after a grace period.");
        group.MapDelete("/{id:int}", Delete).WithName("DeleteKey").WithSummary("Delete a key: its value stops working at once.");
        group.MapGet("/{id:int}/secret", Reveal).WithName("RevealKeySecret").WithSummary("Reveal a key's value or JWT secret (its creator or assigned user only; audited).");
    }

    internal static async Task<Ok<List<KeyView>>> List(GatehouseDb db, KeyAccess access, KeyPresenter presenter, CancellationToken cancellationToken)
    {
        var sites = await access.SitesAsync(cancellationToken);
        var keys = await WithTargets(db.WebhookKeys.AsNoTracking()).OrderBy(k => k.Id).ToListAsync(cancellationToken);
        var visible = keys.Where(k => access.CanSee(k, sites)).ToList();
        var usernames = await UsernamesAsync(db, visible, cancellationToken);
        return TypedResults.Ok(visible.Select(k => presenter.Present(k, sites, usernames)).ToList());
    }

    internal static async Task<Results<Ok<KeyView>, ProblemHttpResult>> Get(
        int id, GatehouseDb db, KeyAccess access, KeyPresenter presenter, CancellationToken cancellationToken)
    {
        var sites = await access.SitesAsync(cancellationToken);
        var key = await WithTargets(db.WebhookKeys.AsNoTracking()).FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null || !access.CanSee(key, sites))
        {
            return KeyNotFound(id);
        }
        return TypedResults.Ok(presenter.Present(key, sites, await UsernamesAsync(db, [key], cancellationToken)));
    }

    private static async Task<Results<Created<KeyView>, ProblemHttpResult>> Create(
        KeyRequest request, GatehouseDb db, KeyAccess access, KeyValidation validation, KeyPresenter presenter,
        SecretProtector protector, AuditLog audit, SettingsStore settings, TimeProvider time, CancellationToken cancellationToken)
    {
        var method = request.Method ?? KeyMethod.ApiKey;
        if (method == KeyMethod.Jwt && !await settings.EnhancedAuthenticationAsync(db, cancellationToken))
        {
            return Problems.Conflict("jwt_disabled",
                "JWT keys can be created only while the setting EnableEnhanceWebhookAuthentication is True. "
                + "Turning it on makes every webhook request need a valid token, API-key requests included.");
        }
        var errors = new List<string>();
        var target = await validation.CheckCreateAsync(request, errors, cancellationToken);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var user = access.User;
        if (target.Site is not null && !await user.CanAccessSiteAsync(target.Site.Id, cancellationToken))
        {
            return Problems.Forbidden($"You do not have access to the site '{target.Site.Name}'.");
        }
        if (request.ShareTo is not null && !user.IsAdministrator)
        {
            return Problems.Forbidden("Only administrators can create keys shared to all sites of a kind.");
        }
        var actor = await Grantees.OfAsync(user, cancellationToken);
        var assignee = target.Assigned is null ? null : await Grantees.LoadAsync(db, target.Assigned.Id, cancellationToken);
        if ((KeyAuthority.CheckAssign(actor, assignee, null) ?? KeyAuthority.CheckVisibleToAll(actor, request.VisibleToAll, false)) is { } refusal)
        {
            return Problems.Forbidden(refusal);
        }
        var name = request.Name!.Trim();
        if (await validation.NameTakenAsync(name, target.Integration?.Id, request.Intake, target.Command, null, cancellationToken))
        {
            return Duplicates.Key(name);
        }
        var module = request.Module ?? KeyModule.DataIngestion;
        var value = NewValue(method, request.Secret);
        var key = new WebhookKey
        {
            Name = name,
            Module = module,
            Method = method,
            Kid = method == KeyMethod.Jwt ? WebhookSecrets.NewKid() : null,
            PayloadFieldsJson = method != KeyMethod.Jwt ? null
                : JwtKeys.SerializeFields(request.Preset == KeyPreset.StaticToken ? [.. JwtKeys.StaticTokenFields]
                    : JwtKeys.InitialFields(module == KeyModule.UtilityCommand || target.Command is not null, request.PayloadFields, request.SampleBody)),
            MaxTokenAgeSeconds = request.Preset == KeyPreset.StaticToken ? 0 : request.MaxTokenAgeSeconds ?? 300,
            Preset = request.Preset,
            AllowedSourcesJson = request.AllowedSources is null ? null : KeySources.Serialize(request.AllowedSources).Json,
            SignatureJson = method == KeyMethod.Hmac ? SignedKeys.Serialize(request.Signature!) : null,
            RejectReplayedTokens = request.RejectReplayedTokens ?? false,
            SiteId = target.Site?.Id,
            Site = target.Site,
            ShareTo = request.ShareTo,
            IntegrationId = target.Integration?.Id,
            Integration = target.Integration,
            Intake = target.Command is null ? request.Intake : null,
            // Utility keys name a utility command; Integrations keys may name one of the integration's commands.
            Command = target.Command,
            CreatedByUserId = user.Id,
            AssignedUserId = target.Assigned?.Id,
            VisibleToAll = request.VisibleToAll ?? false,
            Enabled = request.Enabled ?? true,
            SecretHash = SecretHash(method, value),
            SecretProtected = protector.Protect(value),
            DataFormatter = Text.Blank(request.DataFormatter),
            EventPlaybook = Text.Blank(request.EventPlaybook),
            RunMitreTtpSearch = request.RunMitreTtpSearch ?? false,
            RunEventAutomationRules = request.RunEventAutomationRules ?? false,
            RateLimitPerSecond = request.RateLimitPerSecond,
            CreatedAt = time.GetUtcNow(),
        };
        db.WebhookKeys.Add(key);
        await audit.SaveCreatedAsync(AuditActions.KeyCreated, () => (key.Name, new
        {
            key.Module, key.Method, Site = key.Site?.Name, key.ShareTo, Integration = key.Integration?.Name, key.Intake, key.Command, key.Preset,
            AssignedUser = target.Assigned?.Username, Options = AuditedOptions(key),
        }, key.Id), cancellationToken);
        var sites = await access.SitesAsync(cancellationToken);
        return TypedResults.Created($"/api/keys/{key.Id}", presenter.Present(key, sites, await UsernamesAsync(db, [key], cancellationToken)));
    }

    internal static async Task<Results<Ok<KeyView>, ProblemHttpResult>> Patch(
        int id, KeyPatch patch, GatehouseDb db, KeyAccess access, KeyValidation validation, KeyPresenter presenter,
        AuditLog audit, CancellationToken cancellationToken)
    {
        var (key, problem) = await ManagedKeyAsync(id, db, access, cancellationToken);
        if (key is null)
        {
            return problem!;
        }
        var errors = new List<string>();
        var assigned = await validation.CheckPatchAsync(key, patch, errors, cancellationToken);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var actor = await Grantees.OfAsync(access.User, cancellationToken);
        var reassigning = patch.AssignedUser is not null && assigned?.Id != key.AssignedUserId;
        var assignee = assigned is null ? null : await Grantees.LoadAsync(db, assigned.Id, cancellationToken);
        if (((reassigning ? KeyAuthority.CheckAssign(actor, assignee, KeyAccess.HoldersOf(key)) : null)
            ?? KeyAuthority.CheckVisibleToAll(actor, patch.VisibleToAll, key.VisibleToAll)
            ?? KeyAuthority.CheckTokenBinding(actor, KeyAccess.HoldersOf(key), ChangesTokenBinding(key, patch))) is { } refusal)
        {
            return Problems.Forbidden(refusal);
        }
        if (patch.Name is not null && patch.Name.Trim() != key.Name)
        {
            var name = patch.Name.Trim();
            if (await validation.NameTakenAsync(name, key.IntegrationId, key.Intake, key.Command, key.Id, cancellationToken))
            {
                return Duplicates.Key(name);
            }
            audit.Record(AuditActions.KeyRenamed, key.Id, name, new { From = key.Name, To = name });
            key.Name = name;
        }
        if (reassigning)
        {
            key.AssignedUserId = assigned?.Id;
            audit.Record(AuditActions.KeyAssigned, key.Id, key.Name, new { AssignedUser = assigned?.Username });
        }
        if (patch.Enabled is { } enabled && enabled != key.Enabled)
        {
            key.Enabled = enabled;
            audit.Record(enabled ? AuditActions.KeyEnabled : AuditActions.KeyDisabled, key.Id, key.Name);
        }
        var options = AuditedOptions(key);
        if (ApplyOptions(key, patch))
        {
            audit.RecordChange(AuditActions.KeyUpdated, key.Name, options, AuditedOptions(key), key.Id);
        }
        await db.SaveChangesAsync(cancellationToken);
        var sites = await access.SitesAsync(cancellationToken);
        return TypedResults.Ok(presenter.Present(key, sites, await UsernamesAsync(db, [key], cancellationToken)));
    }

    internal static async Task<Results<Ok<KeyView>, ProblemHttpResult>> Regenerate(
        int id, RegenerateRequest? request, GatehouseDb db, KeyAccess access, KeyPresenter presenter, SecretProtector protector,
        AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        KeyValidation.CheckGrace(request, errors);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var (key, problem) = await ManagedKeyAsync(id, db, access, cancellationToken);
        if (key is null)
        {
            return problem!;
        }
        if (request?.Secret is not null)
        {
            // Who chooses the secret can sign as the key: only those who may see it, its creator or assignee, may choose it.
            if (!access.IsOwner(key))
            {
                return Problems.Forbidden("Only the key's creator or its assigned user can give it a secret; regenerate without 'secret' to have one made.");
            }
            if (!key.Method.IsSigned())
            {
                errors.Add("'secret' applies to signed keys only: an API key's value and a JWT key's secret are always made by Gatehouse.");
            }
            SignedKeys.CheckSecret(key.Method, request.Secret, errors);
            if (errors.Count > 0)
            {
                return Problems.Invalid(errors);
            }
        }
        var now = time.GetUtcNow();
        var grace = request?.GraceSeconds ?? 0;
        var value = NewValue(key.Method, request?.Secret);
        key.PreviousSecretHash = key.SecretHash;
        // Secrets that verify (a JWT key's, a signed key's) stay at hand during the grace period; an API key's value is only ever hashed.
        key.PreviousSecretProtected = key.Method == KeyMethod.Jwt || key.Method.IsSigned() ? key.SecretProtected : null;
        key.PreviousValidUntil = grace > 0 ? now.AddSeconds(grace) : null;
        key.SecretHash = SecretHash(key.Method, value);
        key.SecretProtected = protector.Protect(value);
        key.RegeneratedAt = now;
        audit.Record(AuditActions.KeyRegenerated, key.Id, key.Name, new { GraceSeconds = grace, SecretGiven = request?.Secret is not null });
        await db.SaveChangesAsync(cancellationToken);
        var sites = await access.SitesAsync(cancellationToken);
        return TypedResults.Ok(presenter.Present(key, sites, await UsernamesAsync(db, [key], cancellationToken)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        int id, GatehouseDb db, KeyAccess access, AuditLog audit, CancellationToken cancellationToken)
    {
        var (key, problem) = await ManagedKeyAsync(id, db, access, cancellationToken);
        if (key is null)
        {
            return problem!;
        }
        db.WebhookKeys.Remove(key);
        audit.Record(AuditActions.KeyDeleted, key.Id, key.Name);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<KeySecretView>, ProblemHttpResult>> Reveal(
        int id, GatehouseDb db, KeyAccess access, SecretProtector protector, AuditLog audit, CancellationToken cancellationToken)
    {
        var sites = await access.SitesAsync(cancellationToken);
        var key = await db.WebhookKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null || !access.CanSee(key, sites))
        {
            return KeyNotFound(id);
        }
        if (!access.IsOwner(key))
        {
            audit.Record(AuditActions.KeyRevealRefused, key.Id, key.Name);
            await db.SaveChangesAsync(cancellationToken);
            return Problems.Forbidden("Only the key's creator or its assigned user can see its value.");
        }
        audit.Record(AuditActions.KeyRevealed, key.Id, key.Name);
        await db.SaveChangesAsync(cancellationToken);
        var secret = protector.Unprotect(key.SecretProtected);
        return TypedResults.Ok(key.Method.IsSigned() ? new KeySecretView(null, null, secret)
            : key.Method == KeyMethod.Jwt ? new KeySecretView(null, secret) : new KeySecretView(secret, null));
    }

    /// <summary>The tracked key when the user may manage it; else the problem to answer (404 when they cannot even see it).</summary>
    private static async Task<(WebhookKey?, ProblemHttpResult?)> ManagedKeyAsync(int id, GatehouseDb db, KeyAccess access, CancellationToken cancellationToken)
    {
        var sites = await access.SitesAsync(cancellationToken);
        var key = await WithTargets(db.WebhookKeys).FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null || !access.CanSee(key, sites))
        {
            return (null, KeyNotFound(id));
        }
        return access.CanManage(key, sites)
            ? (key, null)
            : (null, Problems.Forbidden("Only administrators and analysts of the key's site can change it."));
    }

    private static string NewValue(KeyMethod method, string? givenSecret) => method switch
    {
        _ when method.IsSigned() => SignedKeys.SecretFor(method, givenSecret),
        KeyMethod.Jwt => WebhookSecrets.NewJwtSecret(),
        KeyMethod.QueryToken => WebhookSecrets.NewQueryToken(),
        _ => WebhookSecrets.NewApiKey(),
    };

    private static byte[] SecretHash(KeyMethod method, string value) => method switch
    {
        _ when method.IsSigned() => SignedKeys.UnmatchableHash(),
        KeyMethod.Jwt => WebhookSecrets.JwtSecretHash(value),
        KeyMethod.QueryToken => WebhookSecrets.QueryTokenHash(value),
        _ => WebhookSecrets.Hash(value),
    };

    private static bool ApplyOptions(WebhookKey key, KeyPatch patch)
    {
        var before = (key.VisibleToAll, key.DataFormatter, key.EventPlaybook, key.RunMitreTtpSearch, key.RunEventAutomationRules, key.RateLimitPerSecond,
            key.PayloadFieldsJson, key.MaxTokenAgeSeconds, key.RejectReplayedTokens, key.AllowedSourcesJson);
        var tokenOptions = (key.PayloadFieldsJson, key.MaxTokenAgeSeconds, key.RejectReplayedTokens);
        key.PayloadFieldsJson = patch.PayloadFields is null ? key.PayloadFieldsJson : JwtKeys.SerializeFields(patch.PayloadFields.Select(f => f.Trim()).ToList());
        key.MaxTokenAgeSeconds = patch.MaxTokenAgeSeconds ?? key.MaxTokenAgeSeconds;
        key.RejectReplayedTokens = patch.RejectReplayedTokens ?? key.RejectReplayedTokens;
        key.VisibleToAll = patch.VisibleToAll ?? key.VisibleToAll;
        key.DataFormatter = patch.DataFormatter is null ? key.DataFormatter : Text.Blank(patch.DataFormatter);
        key.EventPlaybook = patch.EventPlaybook is null ? key.EventPlaybook : Text.Blank(patch.EventPlaybook);
        key.RunMitreTtpSearch = patch.RunMitreTtpSearch ?? key.RunMitreTtpSearch;
        key.RunEventAutomationRules = patch.RunEventAutomationRules ?? key.RunEventAutomationRules;
        key.RateLimitPerSecond = patch.RateLimitPerSecond switch { null => key.RateLimitPerSecond, 0 => null, var rate => rate };
        key.AllowedSourcesJson = patch.AllowedSources is null ? key.AllowedSourcesJson : KeySources.Serialize(patch.AllowedSources).Json;
        if (tokenOptions != (key.PayloadFieldsJson, key.MaxTokenAgeSeconds, key.RejectReplayedTokens))
        {
            // Other token options make it an ordinary JWT key.
            key.Preset = null;
        }
        return before != (key.VisibleToAll, key.DataFormatter, key.EventPlaybook, key.RunMitreTtpSearch, key.RunEventAutomationRules, key.RateLimitPerSecond,
            key.PayloadFieldsJson, key.MaxTokenAgeSeconds, key.RejectReplayedTokens, key.AllowedSourcesJson);
    }

    /// <summary>A key's options as its audit rows show them (no secret).</summary>
    private static object AuditedOptions(WebhookKey key) => new
    {
        key.VisibleToAll, key.DataFormatter, key.EventPlaybook, key.RunMitreTtpSearch, key.RunEventAutomationRules, key.RateLimitPerSecond,
        PayloadFields = key.Method == KeyMethod.Jwt ? JwtKeys.PayloadFields(key) : null, key.MaxTokenAgeSeconds, key.RejectReplayedTokens,
        key.Preset, AllowedSources = KeySources.Entries(key.AllowedSourcesJson),
    };

    private static bool ChangesTokenBinding(WebhookKey key, KeyPatch patch) =>
        (patch.PayloadFields is not null && JwtKeys.SerializeFields(patch.PayloadFields.Select(f => f.Trim()).ToList()) != key.PayloadFieldsJson)
        || (patch.RejectReplayedTokens is { } replay && replay != key.RejectReplayedTokens)
        || (patch.MaxTokenAgeSeconds is { } age && age != key.MaxTokenAgeSeconds)
        || (patch.AllowedSources is not null && KeySources.Serialize(patch.AllowedSources).Json != key.AllowedSourcesJson);


    private static IQueryable<WebhookKey> WithTargets(IQueryable<WebhookKey> keys) => keys.Include(k => k.Site).Include(k => k.Integration);

    private static async Task<Dictionary<int, string>> UsernamesAsync(GatehouseDb db, IReadOnlyList<WebhookKey> keys, CancellationToken cancellationToken)
    {
        var ids = keys.Select(k => k.CreatedByUserId).Concat(keys.Where(k => k.AssignedUserId is not null).Select(k => k.AssignedUserId!.Value)).Distinct().ToList();
        return await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Username, cancellationToken);
    }

    private static ProblemHttpResult KeyNotFound(int id) => Problems.NotFound($"There is no key {id} that you can see.");
}
