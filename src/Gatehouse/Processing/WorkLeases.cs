using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Query;

namespace Gatehouse.Processing;

/// <summary>A stored work item that nodes claim for a while (ingestions now; playbook tasks later).</summary>
public interface ILeasedWork
{
    string Id { get; }
    string? ClaimedBy { get; }
    DateTimeOffset? LeaseExpiresAt { get; }
    int Attempts { get; }
}

/// <summary>
/// Claiming work safely with several nodes on one database: a conditional UPDATE is the claim,
/// so of several nodes exactly one wins an item; a node that dies loses its lease when it runs
/// out and another node takes the item. Each claim has a token of its own, which the work's
/// final write is conditioned on (ClaimedBy is a concurrency token), so a node that lost its
/// claim cannot also commit the item: each item is processed once.
/// </summary>
public static class WorkLeases
{
    /// <summary>Names this process in claims, so an operator can see which node holds an item.</summary>
    public static readonly string NodeId = Truncate($"{Environment.MachineName}:{Environment.ProcessId}", 60);

    public static string NewClaim() => $"{NodeId}:{Guid.NewGuid():N}";

    public static async Task<(string Id, string Claim)?> ClaimNextAsync<T>(
        DbSet<T> items,
        Expression<Func<T, bool>> claimable,
        Func<IQueryable<T>, IQueryable<T>> order,
        Action<UpdateSettersBuilder<T>> markClaimed,
        DateTimeOffset leaseUntil,
        CancellationToken cancellationToken)
        where T : class, ILeasedWork
    {
        var candidates = await order(items.AsNoTracking().Where(claimable)).Select(w => w.Id).Take(8).ToListAsync(cancellationToken);
        foreach (var id in candidates)
        {
            var claim = NewClaim();
            var claimed = await items.Where(w => w.Id == id).Where(claimable)
                .ExecuteUpdateAsync(setters => MarkClaimed(setters, markClaimed, claim, leaseUntil), cancellationToken);
            if (claimed == 1)
            {
                return (id, claim);
            }
        }
        return null;
    }

    /// <summary>
    /// Claims up to <paramref name="max"/> items with one conditional UPDATE under one claim token;
    /// returns the token and the items it won (none when another node was faster).
    /// </summary>
    public static async Task<(string Claim, List<string> Ids)> ClaimBatchAsync<T>(
        DbSet<T> items,
        Expression<Func<T, bool>> claimable,
        Func<IQueryable<T>, IQueryable<T>> order,
        Action<UpdateSettersBuilder<T>> markClaimed,
        DateTimeOffset leaseUntil,
        int max,
        CancellationToken cancellationToken)
        where T : class, ILeasedWork
    {
        var claim = NewClaim();
        var database = items.GetService<ICurrentDbContext>().Context.Database;
        if (database.IsSqlite())
        {
            return (claim, await ClaimOnSqliteAsync(database, items, claimable, order, markClaimed, leaseUntil, max, claim, cancellationToken));
        }
        var candidates = await order(items.AsNoTracking().Where(claimable)).Select(w => w.Id).Take(max).ToListAsync(cancellationToken);
        if (candidates.Count == 0)
        {
            return (claim, []);
        }
        await items.Where(w => candidates.Contains(w.Id)).Where(claimable)
            .ExecuteUpdateAsync(setters => MarkClaimed(setters, markClaimed, claim, leaseUntil), cancellationToken);
        var won = await items.AsNoTracking().Where(w => candidates.Contains(w.Id) && EF.Property<string?>(w, nameof(ILeasedWork.ClaimedBy)) == claim)
            .Select(w => w.Id).ToListAsync(cancellationToken);
        return (claim, won);
    }

    /// <summary>
    /// SQLite has one writer: inside an immediate transaction nobody can claim between the choice and
    /// the update, so the update goes by primary key alone. (Repeating the claim condition there would
    /// lead SQLite's planner to scan every pending row through the status index instead.)
    /// </summary>
    private static async Task<List<string>> ClaimOnSqliteAsync<T>(
        DatabaseFacade database, DbSet<T> items, Expression<Func<T, bool>> claimable, Func<IQueryable<T>, IQueryable<T>> order,
        Action<UpdateSettersBuilder<T>> markClaimed, DateTimeOffset leaseUntil, int max, string claim, CancellationToken cancellationToken)
        where T : class, ILeasedWork
    {
        await using var transaction = await database.BeginTransactionAsync(cancellationToken);
        var candidates = await order(items.AsNoTracking().Where(claimable)).Select(w => w.Id).Take(max).ToListAsync(cancellationToken);
        if (candidates.Count > 0)
        {
            await items.Where(w => candidates.Contains(w.Id)).ExecuteUpdateAsync(setters => MarkClaimed(setters, markClaimed, claim, leaseUntil), cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return candidates;
    }

    private static void MarkClaimed<T>(UpdateSettersBuilder<T> setters, Action<UpdateSettersBuilder<T>> markClaimed, string claim, DateTimeOffset leaseUntil)
        where T : class, ILeasedWork
    {
        markClaimed(setters);
        setters.SetProperty(w => EF.Property<string?>(w, nameof(ILeasedWork.ClaimedBy)), claim);
        setters.SetProperty(w => EF.Property<DateTimeOffset?>(w, nameof(ILeasedWork.LeaseExpiresAt)), leaseUntil);
        setters.SetProperty(w => EF.Property<int>(w, nameof(ILeasedWork.Attempts)), w => EF.Property<int>(w, nameof(ILeasedWork.Attempts)) + 1);
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}
