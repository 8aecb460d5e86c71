using Gatehouse.Core.Attack;
using Gatehouse.Features.Auth;
using Gatehouse.Features.Events;
using Gatehouse.Features.Playbooks;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class EventModel(GatehouseDb db, CurrentUser user, Attack.AttackContent attack) : ConsolePageModel
{
    public EventView? Event { get; private set; }

    public IReadOnlyList<TechniqueMatch> Techniques { get; private set; } = [];

    public IReadOnlyList<PlaybookRunView> Runs { get; private set; } = [];

    /// <summary>The rule id asked about, and why it fired or not on this event (or why it cannot be told).</summary>
    public string? Rule { get; private set; }

    public RuleExplanationView? Explanation { get; private set; }

    public string? ExplainRefusal { get; private set; }

    public async Task OnGetAsync(long id, string? rule)
    {
        Event = Show<EventView>((await EventsApi.Get(id, db, user, Aborted)).Result);
        if (Event is null)
        {
            return;
        }
        Techniques = Pages.Techniques.From(Event.Techniques);
        Runs = await RunHistory.OfAsync(db, user, Aborted, @event: id);
        Rule = Text.Blank(rule);
        if (Rule is not null)
        {
            var result = (await EventExplainApi.Explain(id, Rule, db, user, attack, Aborted)).Result;
            Explanation = (result as Microsoft.AspNetCore.Http.HttpResults.Ok<RuleExplanationView>)?.Value;
            ExplainRefusal = (result as Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult)?.ProblemDetails.Detail;
        }
    }
}
