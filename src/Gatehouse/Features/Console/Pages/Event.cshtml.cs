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
        Event = Show<EventView>((await EventsApi.Get(id, db, user, Aborted)).Result);
        if (Event is null)
        {
            return;
        }
        Techniques = Pages.Techniques.From(Event.Techniques);
        Runs = await RunHistory.OfAsync(db, user, Aborted, @event: id);
    }
}
