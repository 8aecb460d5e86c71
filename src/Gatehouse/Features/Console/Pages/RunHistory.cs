using Gatehouse.Features.Auth;
using Gatehouse.Features.Playbooks;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public static class RunHistory
{
    /// <summary>The latest runs of an event, an incident or a playbook that the user may see, as the runs API lists them.</summary>
    public static async Task<IReadOnlyList<PlaybookRunView>> OfAsync(
        GatehouseDb db, CurrentUser user, CancellationToken cancellationToken, long? @event = null, long? incident = null, string? playbook = null)
    {
        var runs = await PlaybookRunsApi.List(@event, incident, null, playbook, null, 100, db, user, cancellationToken);
        return ApiCall.Value<Page<PlaybookRunView>>(runs.Result)?.Items ?? [];
    }
}
