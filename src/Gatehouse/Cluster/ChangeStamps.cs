using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Gatehouse.Cluster;

/// <summary>
/// Writes a new version for every cached topic a save touches, in the same transaction, then
/// tells this node at once and the other nodes through the notifier.
/// </summary>
public sealed class ChangeStamps(ChangeFeed feed, IChangeNotifier notifier) : SaveChangesInterceptor
{
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, HashSet<string>> _pending = new();

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Stamp(eventData.Context);
        return base.SavingChangesAsync(eventData, result, cancellationToken);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Stamp(eventData.Context);
        return base.SavingChanges(eventData, result);
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        await PublishAsync(eventData.Context, cancellationToken);
        return await base.SavedChangesAsync(eventData, result, cancellationToken);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        PublishAsync(eventData.Context, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return base.SavedChanges(eventData, result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Forget(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private void Forget(DbContext? context)
    {
        if (context is not null)
        {
            _pending.Remove(context);
            DetachStamps(context);
        }
    }

    private static void DetachStamps(DbContext context)
    {
        foreach (var entry in context.ChangeTracker.Entries<ChangeVersion>().ToList())
        {
            entry.State = EntityState.Detached;
        }
    }

    private void Stamp(DbContext? context)
    {
        if (context is null)
        {
            return;
        }
        var topics = context.ChangeTracker.Entries()
            .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            .Select(e => ChangeTopics.For(e.Metadata.ClrType))
            .OfType<string>()
            .ToHashSet();
        foreach (var topic in topics)
        {
            StampTopic(context, topic);
        }
        if (topics.Count > 0)
        {
            _pending.AddOrUpdate(context, topics);
        }
    }

    /// <summary>
    /// Stamps one topic in the pending save. ExecuteUpdate/ExecuteDelete bypass this interceptor, so
    /// cached entities (keys, sites, integrations, settings, users, commands, rules) are only ever
    /// changed through tracked saves.
    /// </summary>
    private static void StampTopic(DbContext context, string topic)
    {
        var version = Guid.NewGuid().ToString("N");
        var tracked = context.ChangeTracker.Entries<ChangeVersion>().FirstOrDefault(e => e.Entity.Topic == topic);
        if (tracked is not null)
        {
            tracked.Entity.Version = version;
            return;
        }
        // A random version, not an increment: concurrent writers can never produce the same value twice.
        context.Attach(new ChangeVersion { Topic = topic, Version = version }).Property(v => v.Version).IsModified = true;
    }

    private async ValueTask PublishAsync(DbContext? context, CancellationToken cancellationToken)
    {
        if (context is null || !_pending.TryGetValue(context, out var topics))
        {
            return;
        }
        _pending.Remove(context);
        DetachStamps(context);
        foreach (var topic in topics)
        {
            feed.Changed(topic);
        }
        await notifier.NotifyAsync(context, topics, cancellationToken);
    }
}

/// <summary>How other nodes hear of a change at once (PostgreSQL NOTIFY); polling is the backstop.</summary>
public interface IChangeNotifier
{
    ValueTask NotifyAsync(DbContext context, IReadOnlyCollection<string> topics, CancellationToken cancellationToken);
}

public sealed class NoChangeNotifier : IChangeNotifier
{
    public ValueTask NotifyAsync(DbContext context, IReadOnlyCollection<string> topics, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
