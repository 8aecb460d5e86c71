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

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}
