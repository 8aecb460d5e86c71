using Gatehouse.Core.Attack;
using Gatehouse.Features.Auth;
using Gatehouse.Features.Events;
using Gatehouse.Features.Playbooks;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class EventModel(GatehouseDb db, CurrentUser user) : ConsolePageModel
{
    public EventView? Event { get; private set; }

    public IReadOnlyList<TechniqueMatch> Techniques { get; private set; } = [];

    public IReadOnlyList<PlaybookRunView> Runs { get; private set; } = [];

    public async Task OnGetAsync(long id)
    {
        var result = (await EventsApi.Get(id, db, user, Aborted)).Result;
        Event = ApiCall.Value<EventView>(result);
        Refusal = ApiCall.Problem(result);
        if (Event is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        Techniques = Pages.Techniques.From(Event.Techniques);
        var runs = await PlaybookRunsApi.List(id, null, null, null, null, 100, db, user, Aborted);
        Runs = ApiCall.Value<Page<PlaybookRunView>>(runs.Result)?.Items ?? [];
    }
}
