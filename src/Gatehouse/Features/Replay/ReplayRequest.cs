using Gatehouse.Infrastructure;
using Gatehouse.Storage;

namespace Gatehouse.Features.Replay;

/// <summary>Which stored requests to replay: all members optional; <c>status</c> is Processed or Failed (both when absent).</summary>
public sealed record ReplayFilter(string? Integration = null, int? Key = null, string? Site = null, DateTimeOffset? From = null, DateTimeOffset? To = null, string? Status = null);

/// <summary>
/// <c>POST /api/ingestions/replay</c>: a dry run (the default) answers the diff of up to <see cref="Limit"/> ingestions, newest
/// first; otherwise a background job replays every match, oldest first, starting playbooks only when <see cref="RunPlaybooks"/>.
/// </summary>
public sealed record ReplayRequest(ReplayFilter? Filter = null, bool? DryRun = null, int? Limit = null, bool? RunPlaybooks = null)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    /// <summary>Stored requests still waiting or being processed get the current definitions anyway: only finished ones replay.</summary>
    public static readonly IngestionStatus[] Replayable = [IngestionStatus.Processed, IngestionStatus.Failed];

    public List<string> Check(out IngestionStatus[] statuses)
    {
        var errors = new List<string>();
        var filter = Filter ?? new ReplayFilter();
        statuses = Replayable;
        if (filter.Status is { } status)
        {
            // By name only: Enum.TryParse would also take "2" or " Processed".
            var named = Replayable.Where(r => string.Equals(r.ToString(), status, StringComparison.OrdinalIgnoreCase)).ToArray();
            if (named.Length == 1)
            {
                statuses = named;
            }
            else
            {
                errors.Add("'filter.status' must be Processed or Failed: ingestions still Pending or Processing get the current definitions anyway.");
            }
        }
        foreach (var (member, value) in new[] { ("filter.integration", filter.Integration), ("filter.site", filter.Site) })
        {
            if (value is not null && (string.IsNullOrWhiteSpace(value) || value.Length > 200))
            {
                errors.Add($"'{member}' must be a name of 1 to 200 characters.");
            }
        }
        if (filter.Key is <= 0)
        {
            errors.Add("'filter.key' must be a key's id (a positive number).");
        }
        foreach (var (member, value) in new[] { ("filter.from", filter.From), ("filter.to", filter.To) })
        {
            if (value is { } date && (date < Core.Statistics.TimeWindow.Earliest || date > Core.Statistics.TimeWindow.Latest))
            {
                errors.Add($"'{member}' must be between 1970 and 9999.");
            }
        }
        if (filter is { From: { } from, To: { } to } && from >= to)
        {
            errors.Add("'filter.from' must be before 'filter.to'.");
        }
        if (Limit is < 1 or > MaxLimit)
        {
            errors.Add($"'limit' must be between 1 and {MaxLimit}.");
        }
        if (DryRun != false && RunPlaybooks == true)
        {
            errors.Add("'runPlaybooks' applies to a replay that is carried out: set 'dryRun' to false, or leave 'runPlaybooks' out.");
        }
        return errors;
    }
}
