using Gatehouse.Storage;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Audit;

/// <summary>Aggregated audit rows (one per kind of failure and minute, with a count): add to the row, or insert it once across nodes.</summary>
public static class AuditAggregates
{
    public static async Task AddAsync(GatehouseDb db, string aggregateKey, int count, DateTimeOffset now, Func<AuditEntry> newRow, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var updated = await db.AuditEntries.Where(a => a.AggregateKey == aggregateKey)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Count, a => a.Count + count).SetProperty(a => a.LastAt, now), cancellationToken);
            if (updated > 0)
            {
                return;
            }
            try
            {
                var row = newRow();
                row.AggregateKey = aggregateKey;
                row.Count = count;
                row.LastAt = now;
                db.AuditEntries.Add(row);
                await db.SaveChangesAsync(cancellationToken);
                return;
            }
            catch (DbUpdateException)
            {
                // Another node inserted the same row first: add to it instead.
                db.ChangeTracker.Clear();
            }
        }
    }
}
