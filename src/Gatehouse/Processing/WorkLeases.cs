using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
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
            var claimed = await items.Where(w => w.Id == id).Where(claimable).ExecuteUpdateAsync(setters =>
            {
                markClaimed(setters);
                setters.SetProperty(w => EF.Property<string?>(w, nameof(ILeasedWork.ClaimedBy)), claim);
                setters.SetProperty(w => EF.Property<DateTimeOffset?>(w, nameof(ILeasedWork.LeaseExpiresAt)), leaseUntil);
                setters.SetProperty(w => EF.Property<int>(w, nameof(ILeasedWork.Attempts)), w => EF.Property<int>(w, nameof(ILeasedWork.Attempts)) + 1);
            }, cancellationToken);
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
        var candidates = await order(items.AsNoTracking().Where(claimable)).Select(w => w.Id).Take(max).ToListAsync(cancellationToken);
        if (candidates.Count == 0)
        {
            return (claim, []);
        }
        await items.Where(w => candidates.Contains(w.Id)).Where(claimable).ExecuteUpdateAsync(setters =>
        {
            markClaimed(setters);
            setters.SetProperty(w => EF.Property<string?>(w, nameof(ILeasedWork.ClaimedBy)), claim);
            setters.SetProperty(w => EF.Property<DateTimeOffset?>(w, nameof(ILeasedWork.LeaseExpiresAt)), leaseUntil);
            setters.SetProperty(w => EF.Property<int>(w, nameof(ILeasedWork.Attempts)), w => EF.Property<int>(w, nameof(ILeasedWork.Attempts)) + 1);
        }, cancellationToken);
        var won = await items.AsNoTracking().Where(w => candidates.Contains(w.Id) && EF.Property<string?>(w, nameof(ILeasedWork.ClaimedBy)) == claim)
            .Select(w => w.Id).ToListAsync(cancellationToken);
        return (claim, won);
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}
