using Gatehouse.Cluster;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Storage;

/// <summary>
/// The one DbContext. Each database provider has a subclass of its own so that its migrations
/// live in their own folder (Storage/Migrations/&lt;Provider&gt;) and can differ where types do.
/// </summary>
public abstract class GatehouseDb(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<ChangeVersion> ChangeVersions => Set<ChangeVersion>();
    public DbSet<Site> Sites => Set<Site>();
    public DbSet<User> Users => Set<User>();
    public DbSet<UserSite> UserSites => Set<UserSite>();
    public DbSet<SessionToken> SessionTokens => Set<SessionToken>();
    public DbSet<Setting> Settings => Set<Setting>();
    public DbSet<Integration> Integrations => Set<Integration>();
    public DbSet<WebhookKey> WebhookKeys => Set<WebhookKey>();
    public DbSet<Ingestion> Ingestions => Set<Ingestion>();
    public DbSet<Event> Events => Set<Event>();

    /// <summary>The events lists, searches, counts and commands show: all but those a replay superseded.</summary>
    public IQueryable<Event> CurrentEvents => Events.AsNoTracking().Where(e => e.SupersededAt == null);
    public DbSet<ReplayJob> ReplayJobs => Set<ReplayJob>();
    public DbSet<Incident> Incidents => Set<Incident>();
    public DbSet<IncidentEvent> IncidentEvents => Set<IncidentEvent>();
    public DbSet<IncidentLink> IncidentLinks => Set<IncidentLink>();
    public DbSet<IncidentHistoryEntry> IncidentHistory => Set<IncidentHistoryEntry>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<UsedToken> UsedTokens => Set<UsedToken>();
    public DbSet<CommandRun> CommandRuns => Set<CommandRun>();
    public DbSet<CustomCommand> CustomCommands => Set<CustomCommand>();
    public DbSet<IntegrationConnection> IntegrationConnections => Set<IntegrationConnection>();
    public DbSet<AutomationRule> AutomationRules => Set<AutomationRule>();
    public DbSet<Playbook> Playbooks => Set<Playbook>();
    public DbSet<PlaybookVersion> PlaybookVersions => Set<PlaybookVersion>();
    public DbSet<PlaybookRun> PlaybookRuns => Set<PlaybookRun>();
    public DbSet<PlaybookTaskRun> PlaybookTaskRuns => Set<PlaybookTaskRun>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
    }

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<Site>(site =>
        {
            site.Property(s => s.Name).HasMaxLength(200);
            site.Property(s => s.NormalizedName).HasMaxLength(200);
            site.HasIndex(s => s.NormalizedName).IsUnique();
        });
        model.Entity<User>(user =>
        {
            user.Property(u => u.Username).HasMaxLength(200);
            user.Property(u => u.NormalizedUsername).HasMaxLength(200);
            user.HasIndex(u => u.NormalizedUsername).IsUnique();
            user.HasMany(u => u.Sites).WithOne().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<UserSite>(link =>
        {
            link.HasKey(l => new { l.UserId, l.SiteId });
            link.HasOne(l => l.Site).WithMany().HasForeignKey(l => l.SiteId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<SessionToken>(token =>
        {
            token.HasKey(t => t.TokenHash);
            token.HasOne(t => t.User).WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
            token.HasIndex(t => t.ExpiresAt);
        });
        model.Entity<Setting>(setting =>
        {
            setting.HasKey(s => s.Name);
            setting.Property(s => s.Name).HasMaxLength(200);
        });
        model.Entity<Integration>(integration =>
        {
            integration.Property(i => i.Name).HasMaxLength(200);
            integration.Property(i => i.NormalizedName).HasMaxLength(200);
            integration.HasIndex(i => i.NormalizedName).IsUnique();
        });
        model.Entity<WebhookKey>(key =>
        {
            key.Property(k => k.Name).HasMaxLength(200);
            key.HasIndex(k => k.SecretHash).IsUnique();
            key.HasIndex(k => k.PreviousSecretHash);
            key.Property(k => k.Kid).HasMaxLength(64);
            key.HasIndex(k => k.Kid).IsUnique();
            key.Property(k => k.Command).HasMaxLength(200);
            key.Property(k => k.DataFormatter).HasMaxLength(200);
            key.Property(k => k.EventPlaybook).HasMaxLength(200);
            key.HasOne(k => k.Site).WithMany().HasForeignKey(k => k.SiteId).OnDelete(DeleteBehavior.Restrict);
            key.HasOne(k => k.Integration).WithMany().HasForeignKey(k => k.IntegrationId).OnDelete(DeleteBehavior.Restrict);
        });
        model.Entity<Ingestion>(ingestion =>
        {
            ingestion.Property(i => i.Id).HasMaxLength(32);
            ingestion.Property(i => i.IdempotencyKey).HasMaxLength(200);
            ingestion.Property(i => i.ClaimedBy).HasMaxLength(100).IsConcurrencyToken();
            ingestion.Property(i => i.SourceAddress).HasMaxLength(64);
            ingestion.Property(i => i.TraceParent).HasMaxLength(64);
            ingestion.HasIndex(i => new { i.KeyId, i.IdempotencyKey }).IsUnique();
            // Claims ask for fresh (Attempts = 0) or retried work by status, oldest first.
            ingestion.HasIndex(i => new { i.Status, i.Attempts, i.ReceivedAt });
            // The dashboard counts what each site received, and what was processed, per hour or day.
            ingestion.HasIndex(i => new { i.SiteId, i.ReceivedAt });
            ingestion.HasIndex(i => i.ProcessedAt);
            ingestion.HasOne(i => i.Integration).WithMany().HasForeignKey(i => i.IntegrationId).OnDelete(DeleteBehavior.Restrict);
            ingestion.HasOne(i => i.Site).WithMany().HasForeignKey(i => i.SiteId).OnDelete(DeleteBehavior.Restrict);
        });
        model.Entity<Event>(evt =>
        {
            evt.HasIndex(e => new { e.SiteId, e.CreatedAt });
            evt.HasIndex(e => e.IngestionId);
            // Deduplication: one event per External ID, integration and site (events without one are not limited).
            evt.HasIndex(e => new { e.IntegrationId, e.SiteId, e.ExternalId }).IsUnique();
            evt.Property(e => e.ItemLabel).HasMaxLength(200);
            evt.Property(e => e.SupersededReason).HasMaxLength(1000);
            evt.HasOne(e => e.Integration).WithMany().HasForeignKey(e => e.IntegrationId).OnDelete(DeleteBehavior.Restrict);
            evt.HasOne(e => e.Site).WithMany().HasForeignKey(e => e.SiteId).OnDelete(DeleteBehavior.Restrict);
        });
        model.Entity<Incident>(incident =>
        {
            incident.HasIndex(i => new { i.SiteId, i.CreatedAt });
            incident.HasIndex(i => i.IngestionId);
            incident.HasOne(i => i.Integration).WithMany().HasForeignKey(i => i.IntegrationId).OnDelete(DeleteBehavior.Restrict);
            incident.HasOne(i => i.Site).WithMany().HasForeignKey(i => i.SiteId).OnDelete(DeleteBehavior.Restrict);
            incident.Ignore(i => i.Number);
            incident.Property(i => i.ItemLabel).HasMaxLength(200);
            incident.Property(i => i.Version).IsConcurrencyToken();
            incident.Property(i => i.Status).HasMaxLength(200);
            incident.Property(i => i.Stage).HasMaxLength(200);
            incident.Property(i => i.Priority).HasMaxLength(200);
            incident.Property(i => i.Disposition).HasMaxLength(200);
        });
        model.Entity<IncidentLink>(link =>
        {
            link.HasKey(l => new { l.IncidentId, l.LinkedIncidentId });
            link.HasOne<Incident>().WithMany().HasForeignKey(l => l.IncidentId).OnDelete(DeleteBehavior.Cascade);
            link.HasOne<Incident>().WithMany().HasForeignKey(l => l.LinkedIncidentId).OnDelete(DeleteBehavior.Restrict);
        });
        model.Entity<IncidentHistoryEntry>(entry =>
        {
            entry.HasIndex(e => new { e.IncidentId, e.At });
            entry.HasOne(e => e.Incident).WithMany().HasForeignKey(e => e.IncidentId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<IncidentEvent>(link =>
        {
            link.HasKey(l => new { l.IncidentId, l.EventId });
            link.HasOne(l => l.Incident).WithMany(i => i.Events).HasForeignKey(l => l.IncidentId).OnDelete(DeleteBehavior.Cascade);
            link.HasOne(l => l.Event).WithMany(e => e.Incidents).HasForeignKey(l => l.EventId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<WebhookKey>().Ignore(k => k.Scope);
        model.Entity<AutomationRule>(rule =>
        {
            rule.Property(r => r.Name).HasMaxLength(200);
            rule.HasIndex(r => r.Order);
            rule.HasOne(r => r.Site).WithMany().HasForeignKey(r => r.SiteId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<IntegrationConnection>(connection =>
        {
            connection.HasIndex(c => new { c.IntegrationId, c.SiteId }).IsUnique();
            connection.Property(c => c.BaseUrl).HasMaxLength(2000);
            connection.Property(c => c.HeaderName).HasMaxLength(200);
            connection.Property(c => c.Username).HasMaxLength(200);
            connection.HasOne<Integration>().WithMany().HasForeignKey(c => c.IntegrationId).OnDelete(DeleteBehavior.Cascade);
            connection.HasOne(c => c.Site).WithMany().HasForeignKey(c => c.SiteId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<CustomCommand>(command =>
        {
            command.Property(c => c.Name).HasMaxLength(200);
            command.Property(c => c.NormalizedName).HasMaxLength(200);
            command.HasIndex(c => c.NormalizedName).IsUnique();
        });
        model.Entity<CommandRun>(run =>
        {
            run.Property(r => r.Command).HasMaxLength(200);
            run.Property(r => r.Username).HasMaxLength(200);
            run.HasIndex(r => r.At);
            run.HasIndex(r => new { r.Command, r.At });
        });
        model.Entity<UsedToken>(used =>
        {
            used.HasKey(u => new { u.KeyId, u.TokenHash });
            used.HasIndex(u => u.ExpiresAt);
        });
        model.Entity<AuditEntry>(audit =>
        {
            audit.Property(a => a.Action).HasMaxLength(64);
            audit.Property(a => a.Actor).HasMaxLength(200);
            audit.Property(a => a.Target).HasMaxLength(400);
            audit.Property(a => a.Reason).HasMaxLength(64);
            audit.Property(a => a.SourceAddress).HasMaxLength(64);
            audit.Property(a => a.AggregateKey).HasMaxLength(200);
            audit.HasIndex(a => a.AggregateKey).IsUnique();
            audit.HasIndex(a => a.At);
            audit.HasIndex(a => new { a.KeyId, a.At });
        });
        model.Entity<Playbook>(playbook =>
        {
            playbook.Property(p => p.Name).HasMaxLength(200);
            playbook.Property(p => p.NormalizedName).HasMaxLength(200);
            playbook.Property(p => p.UpdatedBy).HasMaxLength(200);
            playbook.HasIndex(p => p.NormalizedName).IsUnique();
            playbook.HasMany(p => p.Versions).WithOne().HasForeignKey(v => v.PlaybookId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<PlaybookVersion>(version =>
        {
            version.Property(v => v.CreatedBy).HasMaxLength(200);
            version.HasIndex(v => new { v.PlaybookId, v.Version }).IsUnique();
        });
        model.Entity<PlaybookRun>(run =>
        {
            run.Property(r => r.Id).HasMaxLength(32);
            run.Property(r => r.PlaybookName).HasMaxLength(200);
            run.Property(r => r.Trigger).HasMaxLength(200);
            run.Property(r => r.ClaimedBy).HasMaxLength(100).IsConcurrencyToken();
            run.HasIndex(r => new { r.Status, r.CreatedAt });
            run.HasIndex(r => r.EventId);
            run.HasIndex(r => r.IncidentId);
            run.HasOne(r => r.PlaybookVersion).WithMany().HasForeignKey(r => r.PlaybookVersionId).OnDelete(DeleteBehavior.Restrict);
            run.HasOne(r => r.Event).WithMany().HasForeignKey(r => r.EventId).OnDelete(DeleteBehavior.Cascade);
            run.HasOne(r => r.Incident).WithMany().HasForeignKey(r => r.IncidentId).OnDelete(DeleteBehavior.Cascade);
            run.HasMany(r => r.Tasks).WithOne().HasForeignKey(t => t.RunId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<ReplayJob>(job =>
        {
            job.Property(j => j.Id).HasMaxLength(32);
            job.Property(j => j.CursorRefid).HasMaxLength(32);
            job.Property(j => j.CreatedBy).HasMaxLength(200);
            job.Property(j => j.ClaimedBy).HasMaxLength(100).IsConcurrencyToken();
            job.HasIndex(j => new { j.Status, j.CreatedAt });
            job.HasIndex(j => j.ActiveSlot).IsUnique();
        });
        model.Entity<PlaybookTaskRun>(task =>
        {
            task.Property(t => t.TaskId).HasMaxLength(64);
            task.HasIndex(t => new { t.RunId, t.TaskId }).IsUnique();
        });
        model.Entity<ChangeVersion>(version =>
        {
            version.HasKey(v => v.Topic);
            version.Property(v => v.Topic).HasMaxLength(32);
            version.Property(v => v.Version).HasMaxLength(32);
            version.HasData(ChangeTopics.All.Select(topic => new ChangeVersion { Topic = topic, Version = "initial" }));
        });
    }
}
