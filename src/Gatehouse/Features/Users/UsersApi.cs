using System.ComponentModel.DataAnnotations;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Users;

/// <summary><c>mustChangePassword</c>: the user must choose their own password at the first sign-in (default false).</summary>
public sealed record UserRequest([property: Required] string? Username, [property: Required] string? Password, [property: Required] UserRole? Role, List<string>? Sites, bool? MustChangePassword = null);

/// <summary>Filters of the user list: role, enabled, a site they can access.</summary>
public sealed record UserFilter(UserRole? Role, bool? Enabled, string? Site)
{
    public static readonly UserFilter All = new(null, null, null);
}

public sealed record UserView(int Id, string Username, UserRole Role, bool Enabled, IReadOnlyList<string> Sites, bool MustChangePassword, DateTimeOffset CreatedAt);

public static class UsersApi
{
    public const int MinimumPasswordLength = 8;

    public static void MapUsersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization(Policies.Administrator);
        group.MapGet("/", List).WithName("ListUsers").WithSummary("List users, by role, enabled state or site.").WithListPaging();
        group.MapGet("/{id:int}", Get).WithName("GetUser").WithSummary("One user.");
        group.MapPost("/", Create).WithName("CreateUser").WithSummary("Create a user with a role and the sites they may access.");
    }

    internal static async Task<Ok<List<UserView>>> List([AsParameters] UserFilter filter, GatehouseDb db, CancellationToken cancellationToken)
    {
        var query = db.Users.AsNoTracking().Include(u => u.Sites).ThenInclude(s => s.Site).AsQueryable();
        if (filter.Role is { } role)
        {
            query = query.Where(u => u.Role == role);
        }
        if (filter.Enabled is { } enabled)
        {
            query = query.Where(u => u.Enabled == enabled);
        }
        if (!string.IsNullOrWhiteSpace(filter.Site))
        {
            var site = Normalize.Name(filter.Site);
            query = query.Where(u => u.Sites.Any(s => s.Site!.NormalizedName == site));
        }
        var users = await query.OrderBy(u => u.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(users.Select(ToView).ToList());
    }

    internal static async Task<Results<Ok<UserView>, ProblemHttpResult>> Get(int id, GatehouseDb db, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().Include(u => u.Sites).ThenInclude(s => s.Site).FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        return user is null ? Problems.NotFound($"There is no user {id}.") : TypedResults.Ok(ToView(user));
    }

    private static async Task<Results<Created<UserView>, ProblemHttpResult>> Create(
        UserRequest request, GatehouseDb db, IPasswordHasher<User> hasher, Audit.AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var username = request.Username?.Trim();
        if (string.IsNullOrEmpty(username) || username.Length > 200)
        {
            errors.Add("'username' is required (at most 200 characters).");
        }
        else if (Core.Auth.VisibleNames.HasHiddenCharacters(username))
        {
            errors.Add("'username' holds an invisible or control character (a zero-width space, a direction mark, a line break, a non-breaking space): use visible characters only.");
        }
        if (PasswordProblem(request.Password, "password") is { } problem)
        {
            errors.Add(problem);
        }
        if (request.Role is null)
        {
            errors.Add("'role' is required: Administrator or Analyst.");
        }
        var sites = await SitesAsync(db, request.Sites ?? [], errors, cancellationToken);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var normalized = Normalize.Name(username!);
        if (await db.Users.AnyAsync(u => u.NormalizedUsername == normalized, cancellationToken))
        {
            return Duplicates.User(username!);
        }
        var user = new User
        {
            Username = username!,
            NormalizedUsername = normalized,
            PasswordHash = "",
            Role = request.Role!.Value,
            MustChangePassword = request.MustChangePassword ?? false,
            CreatedAt = time.GetUtcNow(),
            Sites = sites.Select(s => new UserSite { SiteId = s.Id, Site = s }).ToList(),
        };
        user.PasswordHash = hasher.HashPassword(user, request.Password!);
        db.Users.Add(user);
        await audit.SaveCreatedAsync(Audit.AuditActions.UserCreated, () => (user.Username, ToView(user), null), cancellationToken);
        return TypedResults.Created($"/api/users/{user.Id}", ToView(user));
    }

    /// <summary>The sites a user is given, by name; a name that is empty or names no site is an error.</summary>
    internal static async Task<List<Site>> SitesAsync(GatehouseDb db, IReadOnlyList<string?> names, List<string> errors, CancellationToken cancellationToken)
    {
        if (names.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add("'sites' holds an empty name: list the names of existing sites.");
            return [];
        }
        var normalized = names.Select(n => Normalize.Name(n!)).Distinct().ToList();
        var sites = await db.Sites.Where(s => normalized.Contains(s.NormalizedName)).ToListAsync(cancellationToken);
        foreach (var missing in normalized.Except(sites.Select(s => s.NormalizedName)))
        {
            var name = names.First(n => Normalize.Name(n!) == missing)!;
            errors.Add($"There is no site '{(name.Length > 100 ? name[..100] + "…" : name)}'.");
        }
        return sites;
    }

    /// <summary>What is wrong with a new password, or null.</summary>
    public static string? PasswordProblem(string? password, string member) =>
        password is null || password.Length < MinimumPasswordLength ? $"'{member}' must have at least {MinimumPasswordLength} characters."
        : password.Length > 1024 ? $"'{member}' is longer than 1024 characters."
        : null;

    internal static UserView ToView(User user) =>
        new(user.Id, user.Username, user.Role, user.Enabled, user.Sites.Select(s => s.Site!.Name).OrderBy(n => n).ToList(), user.MustChangePassword, user.CreatedAt);
}
