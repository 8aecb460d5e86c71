using System.ComponentModel.DataAnnotations;
using Gatehouse.Features.Audit;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Users;

/// <summary>Only the members given change: a role, the sites (the whole list), enabled.</summary>
public sealed record UserPatch(UserRole? Role, List<string>? Sites, bool? Enabled);

/// <summary><c>mustChangePassword</c>: the user must choose their own at the next sign-in (default false).</summary>
public sealed record PasswordReset([property: Required] string? Password, bool? MustChangePassword);

public sealed record PasswordChange([property: Required] string? CurrentPassword, [property: Required] string? NewPassword);

/// <summary>
/// A user's life after creation: an administrator changes the role, sites and enabled state or resets the password;
/// anyone changes their own password with the current one. Each change is one transaction with its audit row; a
/// disabled user or a new password ends the user's sessions on every node; the last enabled administrator stays one.
/// </summary>
public static class UserLifecycleApi
{
    public static void MapUserLifecycleApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization(Policies.Administrator);
        admin.MapPatch("/{id:int}", Patch).WithName("UpdateUser").WithSummary("Change a user's role, sites or enabled state.");
        admin.MapPost("/{id:int}/password", Reset).WithName("SetUserPassword").WithSummary("Set a user's password (ends their sessions).");
        admin.MapDelete("/{id:int}", Delete).WithName("DeleteUser").WithSummary("Delete a user who holds no keys (else disable them or reassign the keys).");
        app.MapPost("/api/auth/password", Change).WithTags("Auth").RequireAuthorization().AllowBeforePasswordChange()
            .WithName("ChangeOwnPassword").WithSummary("Change your own password with the current one (ends your sessions: sign in again).");
    }

    private static async Task<Results<Ok<UserView>, ProblemHttpResult>> Patch(
        int id, UserPatch patch, GatehouseDb db, AuditLog audit, CancellationToken cancellationToken)
    {
        var user = await db.Users.Include(u => u.Sites).ThenInclude(s => s.Site).FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null)
        {
            return Problems.NotFound($"There is no user {id}.");
        }
        var before = UsersApi.ToView(user);
        List<Site>? sites = null;
        if (patch.Sites is { } names)
        {
            var errors = new List<string>();
            sites = await UsersApi.SitesAsync(db, names, errors, cancellationToken);
            if (errors.Count > 0)
            {
                return Problems.Invalid(errors);
            }
        }
        var staysAdministrator = (patch.Role ?? user.Role) == UserRole.Administrator && (patch.Enabled ?? user.Enabled);
        if (user.Role == UserRole.Administrator && user.Enabled && !staysAdministrator
            && !await db.Users.AnyAsync(u => u.Id != id && u.Role == UserRole.Administrator && u.Enabled, cancellationToken))
        {
            return Problems.Conflict("last_administrator", $"'{user.Username}' is the last enabled administrator: make another user an administrator first.");
        }
        user.Role = patch.Role ?? user.Role;
        user.Enabled = patch.Enabled ?? user.Enabled;
        if (sites is not null)
        {
            user.Sites.RemoveAll(s => sites.All(x => x.Id != s.SiteId));
            user.Sites.AddRange(sites.Where(s => user.Sites.All(x => x.SiteId != s.Id)).Select(s => new UserSite { UserId = user.Id, SiteId = s.Id, Site = s }));
        }
        var after = UsersApi.ToView(user);
        if (audit.RecordChange(AuditActions.UserUpdated, user.Username, before, after))
        {
            if (!user.Enabled)
            {
                db.SessionTokens.RemoveRange(await db.SessionTokens.Where(t => t.UserId == user.Id).ToListAsync(cancellationToken));
            }
            await db.SaveChangesAsync(cancellationToken);
        }
        return TypedResults.Ok(after);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Reset(
        int id, PasswordReset request, GatehouseDb db, IPasswordHasher<User> hasher, AuditLog audit, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null)
        {
            return Problems.NotFound($"There is no user {id}.");
        }
        if (UsersApi.PasswordProblem(request.Password, "password") is { } problem)
        {
            return Problems.Invalid([problem]);
        }
        await SetPasswordAsync(db, hasher, user, request.Password!, cancellationToken);
        user.MustChangePassword = request.MustChangePassword ?? false;
        audit.Record(AuditActions.UserPasswordReset, target: user.Username, detail: new { user.MustChangePassword });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Change(
        PasswordChange request, GatehouseDb db, CurrentUser current, IPasswordHasher<User> hasher, AuditLog audit, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstAsync(u => u.Id == current.Id, cancellationToken);
        if (request.CurrentPassword is null || hasher.VerifyHashedPassword(user, user.PasswordHash, request.CurrentPassword) == PasswordVerificationResult.Failed)
        {
            audit.Record(AuditActions.UserPasswordChangeRefused, target: user.Username);
            await db.SaveChangesAsync(cancellationToken);
            return Problems.Invalid(["'currentPassword' is not your current password."]);
        }
        if (UsersApi.PasswordProblem(request.NewPassword, "newPassword") is { } problem)
        {
            return Problems.Invalid([problem]);
        }
        if (request.NewPassword == request.CurrentPassword)
        {
            return Problems.Invalid(["'newPassword' must differ from the current password."]);
        }
        await SetPasswordAsync(db, hasher, user, request.NewPassword!, cancellationToken);
        user.MustChangePassword = false;
        audit.Record(AuditActions.UserPasswordChanged, target: user.Username);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        int id, GatehouseDb db, CurrentUser current, AuditLog audit, CancellationToken cancellationToken)
    {
        var user = await db.Users.Include(u => u.Sites).ThenInclude(s => s.Site).FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null)
        {
            return Problems.NotFound($"There is no user {id}.");
        }
        if (user.Id == current.Id)
        {
            return Problems.Conflict("cannot_delete_self", "You cannot delete yourself: ask another administrator.");
        }
        if (user.Role == UserRole.Administrator && user.Enabled
            && !await db.Users.AnyAsync(u => u.Id != id && u.Role == UserRole.Administrator && u.Enabled, cancellationToken))
        {
            return Problems.Conflict("last_administrator", $"'{user.Username}' is the last enabled administrator: make another user an administrator first.");
        }
        // A key's value is shown only to its creator or assigned user: deleting them would leave keys nobody can manage.
        var keys = await db.WebhookKeys.Where(k => k.CreatedByUserId == id || k.AssignedUserId == id).Select(k => k.Name).OrderBy(n => n).ToListAsync(cancellationToken);
        if (keys.Count > 0)
        {
            return Problems.Conflict("user_holds_keys",
                $"'{user.Username}' created or is assigned {(keys.Count == 1 ? "a key" : $"{keys.Count} keys")} ({string.Join(", ", keys.Take(10).Select(k => $"'{k}'"))}{(keys.Count > 10 ? ", …" : "")}): "
                + "reassign or delete them first, or disable the user instead.");
        }
        audit.Record(AuditActions.UserDeleted, target: user.Username, detail: UsersApi.ToView(user));
        db.Users.Remove(user);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>The new password's hash, and every session of the user ended (in the caller's transaction).</summary>
    private static async Task SetPasswordAsync(GatehouseDb db, IPasswordHasher<User> hasher, User user, string password, CancellationToken cancellationToken)
    {
        user.PasswordHash = hasher.HashPassword(user, password);
        db.SessionTokens.RemoveRange(await db.SessionTokens.Where(t => t.UserId == user.Id).ToListAsync(cancellationToken));
    }
}
