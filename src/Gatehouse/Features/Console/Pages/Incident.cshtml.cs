using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Incidents;
using Gatehouse.Features.Auth;
using Gatehouse.Features.Events;
using Gatehouse.Features.Incidents;
using Gatehouse.Features.Playbooks;
using Gatehouse.Features.Users;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Fields = Gatehouse.Core.Incidents.IncidentModel;

namespace Gatehouse.Features.Console.Pages;

/// <summary>
/// The incident workbench: every field, the edit form, close and reopen, links and history. It reads
/// through the admin API's handlers; every change is a call to the admin API from the page's script.
/// </summary>
public sealed class IncidentModel(GatehouseDb db, CurrentUser user, IncidentLifecycle lifecycle) : ConsolePageModel
{
    /// <summary>Linked events shown with their title and status; past this many, by id only.</summary>
    public const int EventDetailsShown = 50;

    public IncidentView? Incident { get; private set; }

    public IncidentVocabulary Vocabulary => lifecycle.Vocabulary;

    public IReadOnlyList<string> Severities => IncidentVocabulary.Severities;

    public bool IsClosed => Incident is not null && string.Equals(Incident.Status, Vocabulary.ClosedStatus, StringComparison.OrdinalIgnoreCase);

    /// <summary>What Reopen sets: the first status that is not the closed one.</summary>
    public string ReopenStatus => Vocabulary.Statuses.First(s => !string.Equals(s, Vocabulary.ClosedStatus, StringComparison.OrdinalIgnoreCase));

    /// <summary>The statuses an edit may choose (closing is its own action).</summary>
    public IEnumerable<string> EditableStatuses => Vocabulary.Statuses.Where(s => !string.Equals(s, Vocabulary.ClosedStatus, StringComparison.OrdinalIgnoreCase));

    public IReadOnlyList<(string Number, IncidentView? View)> LinkedIncidents { get; private set; } = [];

    public IReadOnlyList<(long Id, EventView? View)> Events { get; private set; } = [];

    /// <summary>Newest first.</summary>
    public IReadOnlyList<IncidentHistoryView> History { get; private set; } = [];

    public IReadOnlyList<PlaybookRunView> Runs { get; private set; } = [];

    /// <summary>Users an owner or team member can be chosen from (administrators only may list users).</summary>
    public IReadOnlyList<string> Usernames { get; private set; } = [];

    public async Task OnGetAsync(long id)
    {
        Incident = Show<IncidentView>((await IncidentsApi.Get(id, db, user, lifecycle, Aborted)).Result);
        if (Incident is null)
        {
            return;
        }
        var history = ApiCall.Value<List<IncidentHistoryView>>((await IncidentsApi.History(id, user, lifecycle, Aborted)).Result) ?? [];
        History = Enumerable.Reverse(history).ToList();
        Runs = await RunHistory.OfAsync(db, user, Aborted, incident: id);
        var linked = new List<(string, IncidentView?)>();
        foreach (var number in Incident.LinkedIncidents)
        {
            var view = IncidentNumbers.Parse(JsonValue.Create(number)) is { } parsed
                ? ApiCall.Value<IncidentView>((await IncidentsApi.Get(parsed.Id, db, user, lifecycle, Aborted)).Result)
                : null;
            linked.Add((number, view));
        }
        LinkedIncidents = linked;
        var events = new List<(long, EventView?)>();
        foreach (var eventId in Incident.EventIds)
        {
            events.Add((eventId, events.Count < EventDetailsShown ? ApiCall.Value<EventView>((await EventsApi.Get(eventId, db, user, Aborted)).Result) : null));
        }
        Events = events;
        if (user.IsAdministrator)
        {
            Usernames = ((await UsersApi.List(UserFilter.All, db, Aborted)).Value ?? []).Where(u => u.Enabled).Select(u => u.Username).ToList();
        }
    }

    /// <summary>The incident's id from its IR Number (the part after the day), for links to it.</summary>
    public static long? IdOf(string number) => IncidentNumbers.Parse(JsonValue.Create(number))?.Id;

    /// <summary>Text that may end a line after each slash, as a time zone (America/Argentina/Buenos_Aires) or a path would; the words stay whole.</summary>
    public static Microsoft.AspNetCore.Html.IHtmlContent Breakable(string value) =>
        new Microsoft.AspNetCore.Html.HtmlString(string.Join("/<wbr>", value.Split('/').Select(part => System.Text.Encodings.Web.HtmlEncoder.Default.Encode(part))));

    /// <summary>A datetime-local control's value: the time in UTC, to the minute.</summary>
    public static string LocalInput(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture) ?? "";

    /// <summary>A value as a person reads it: text as it is, lists joined by commas, other JSON compact.</summary>
    public static string Plain(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonArray list => string.Join(", ", list.Select(Plain)),
        _ => value.ToJsonString(),
    };

    /// <summary>What a dynamic field's editor shows: text as it is, any other JSON as JSON.</summary>
    public static (string Text, bool Json) Editable(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? (v.GetValue<string>(), false) : (value?.ToJsonString() ?? "", true);

    /// <summary>The dynamic field sections, in the order they were stored.</summary>
    public IEnumerable<(string Section, IReadOnlyList<(string Field, JsonNode? Value)> Fields)> Sections =>
        Incident?.DynamicFields is JsonObject sections
            ? sections.Select(s => (s.Key, (IReadOnlyList<(string, JsonNode?)>)(s.Value is JsonObject fields ? fields.Select(f => (f.Key, f.Value)).ToList() : [])))
            : [];

    /// <summary>How a history entry reads: created, edited, reopened, closed, linked, unlinked.</summary>
    public string ActionOf(IncidentHistoryView entry) => entry.Action switch
    {
        "edited" when entry.Changes is JsonArray changes && changes.Any(c => c?["field"]?.GetValue<string>() == Fields.Status.WireName
            && string.Equals(Plain(c["from"]), Vocabulary.ClosedStatus, StringComparison.OrdinalIgnoreCase)) => "Reopened",
        var action when action.Length > 0 => char.ToUpperInvariant(action[0]) + action[1..],
        _ => entry.Action,
    };

    /// <summary>A history entry's changes as rows of (what, from, to); from is null when there was no "before".</summary>
    public static IEnumerable<(string What, string? From, string To)> ChangesOf(IncidentHistoryView entry)
    {
        switch (entry.Changes)
        {
            case JsonArray fields:
                foreach (var change in fields.OfType<JsonObject>())
                {
                    yield return (Plain(change["field"]), Plain(change["from"]), Plain(change["to"]));
                }
                break;
            case JsonObject { } created when created["fields"] is JsonArray initial:
                foreach (var change in initial.OfType<JsonObject>())
                {
                    yield return (Plain(change["field"]), null, Plain(change["to"]));
                }
                break;
            case JsonObject links:
                if (links["incidents"] is JsonArray { Count: > 0 } incidents)
                {
                    yield return ("Incidents", null, Plain(incidents));
                }
                if (links["events"] is JsonArray { Count: > 0 } events)
                {
                    yield return ("Events", null, Plain(events));
                }
                break;
        }
    }
}
