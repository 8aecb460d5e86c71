using Gatehouse.Core.Auth;
using Gatehouse.Features.Sites;
using Gatehouse.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gatehouse.Storage;

/// <summary>Applies migrations and, on an empty database, creates the default site and the admin user.</summary>
public sealed partial class DatabaseInitializer(
    GatehouseDb db,
    IPasswordHasher<User> hasher,
    TimeProvider time,
    IOptions<GatehouseOptions> options,
    DatabaseReadiness readiness,
    ILogger<DatabaseInitializer> logger)
{
    public const string AdminUsername = "admin";

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await db.Database.MigrateAsync(cancellationToken);
        try
        {
            await SeedAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another node starting at the same moment created the defaults first.
            db.ChangeTracker.Clear();
            LogSeededElsewhere(logger);
        }
        readiness.MarkMigrated();
    }

    private async Task SeedAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!await db.Sites.AnyAsync(cancellationToken))
        {
            db.Sites.Add(new Site
            {
                Name = SitesApi.DefaultSite,
                NormalizedName = Normalize.Name(SitesApi.DefaultSite),
                Kind = SiteKind.Internal,
                CreatedAt = now,
            });
        }
        if (!await db.Users.AnyAsync(cancellationToken))
        {
            var configured = options.Value.Admin.Password;
            var password = string.IsNullOrEmpty(configured) ? WebhookSecrets.RandomToken(18) : configured;
            var admin = new User
            {
                Username = AdminUsername,
                NormalizedUsername = Normalize.Name(AdminUsername),
                PasswordHash = "",
                Role = UserRole.Administrator,
                CreatedAt = now,
                // A password printed to a console is not a secret for long: whoever signs in with it first chooses a new one.
                MustChangePassword = string.IsNullOrEmpty(configured),
            };
            admin.PasswordHash = hasher.HashPassword(admin, password);
            db.Users.Add(admin);
            await db.SaveChangesAsync(cancellationToken);
            if (string.IsNullOrEmpty(configured))
            {
                // Printed once to the console, never to the log.
                Console.WriteLine($"Gatehouse created the user '{AdminUsername}' with the password: {password}");
                Console.WriteLine("Store it now; it is not shown again. Sign in with it and choose your own (the API and console ask for that first).");
                Console.WriteLine("Set Gatehouse:Admin:Password before the first start to choose it yourself.");
            }
            else
            {
                LogAdminCreated(logger, AdminUsername);
            }
        }
        else if (!string.IsNullOrEmpty(options.Value.Admin.Password))
        {
            LogAdminPasswordIgnored(logger, options.Value.DataDirectory);
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The default site and admin user were created by another node")]
    private static partial void LogSeededElsewhere(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gatehouse:Admin:Password is ignored: the database (data directory '{DataDirectory}') already has users. "
        + "Sign in with the existing admin password, or stop Gatehouse and delete the data directory to start over")]
    private static partial void LogAdminPasswordIgnored(ILogger logger, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the user '{Username}' with the configured password")]
    private static partial void LogAdminCreated(ILogger logger, string username);
}

public sealed class DatabaseReadiness
{
    private volatile bool _migrated;

    public bool IsMigrated => _migrated;

    public void MarkMigrated() => _migrated = true;
}
