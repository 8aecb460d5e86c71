using System.Text.Json.Nodes;

namespace Gatehouse.Core.Intake;

public sealed record ExtractedEvent(string Label, JsonObject Raw, MappedFields Fields);

public sealed record ExtractedIncident(string Label, JsonObject Raw, MappedFields Fields, IReadOnlyList<ExtractedEvent> Events);

public sealed record ExtractionError(string Item, string Message);

public sealed record EventExtraction(IReadOnlyList<ExtractedEvent> Events, IReadOnlyList<ExtractionError> Errors);

public sealed record IncidentExtraction(IReadOnlyList<ExtractedIncident> Incidents, IReadOnlyList<ExtractionError> Errors);

/// <summary>An item the main JSON path selected, before any formatting or mapping.</summary>
public sealed record SelectedItem(string Label, JsonObject Raw);

/// <summary>An incident and the events its events path selected, before formatting or mapping.</summary>
public sealed record SelectedIncident(string Label, JsonObject Raw, IReadOnlyList<SelectedItem> Events);

/// <summary>Turns a request body into mapped events or incidents, with an error per item it had to skip.</summary>
public static class IntakeExtractor
{
    public static EventExtraction ExtractEvents(JsonNode? body, CompiledIntake intake)
    {
        var errors = new List<ExtractionError>();
        var events = SelectEvents(body, intake, errors)
            .Select(item => new ExtractedEvent(item.Label, item.Raw, intake.Fields.Apply(item.Raw)))
            .ToList();
        return new EventExtraction(events, errors);
    }

    public static IncidentExtraction ExtractIncidents(JsonNode? body, CompiledIntake incidentIntake, CompiledIntake eventIntake)
    {
        var errors = new List<ExtractionError>();
        var incidents = SelectIncidents(body, incidentIntake, errors)
            .Select(incident => new ExtractedIncident(incident.Label, incident.Raw, incidentIntake.Fields.Apply(incident.Raw),
                incident.Events.Select(e => new ExtractedEvent(e.Label, e.Raw, eventIntake.Fields.Apply(e.Raw))).ToList()))
            .ToList();
        return new IncidentExtraction(incidents, errors);
    }

    /// <summary>The events the main JSON path selects (step 2 of the pipeline), unmapped.</summary>
    public static List<SelectedItem> SelectEvents(JsonNode? body, CompiledIntake intake, List<ExtractionError> errors) =>
        SelectItems(body, intake.Main, "event", errors).Select(item => new SelectedItem(item.Label, item.Node)).ToList();

    /// <summary>The incidents the main JSON path selects, each with the events its events path selects, unmapped.</summary>
    public static List<SelectedIncident> SelectIncidents(JsonNode? body, CompiledIntake incidentIntake, List<ExtractionError> errors)
    {
        var incidents = new List<SelectedIncident>();
        foreach (var (label, node) in SelectItems(body, incidentIntake.Main, "incident", errors))
        {
            var events = incidentIntake.EventsPath is { } eventsPath
                ? Flatten(eventsPath.Select(node), $"{label} event", errors).Select(e => new SelectedItem(e.Item1, e.Item2)).ToList()
                : [];
            incidents.Add(new SelectedIncident(label, node, events));
        }
        return incidents;
    }

    private static List<(string Label, JsonObject Node)> SelectItems(
        JsonNode? body, JsonPath main, string noun, List<ExtractionError> errors)
    {
        var selected = main.Select(body);
        if (selected.Count == 0)
        {
            errors.Add(new ExtractionError("body", $"The main JSON path '{main.Text}' selected nothing in the request body."));
            return [];
        }
        return Flatten(selected, noun, errors);
    }

    /// <summary>Arrays are opened one level; an object counts as a one-element array.</summary>
    private static List<(string, JsonObject)> Flatten(IReadOnlyList<JsonNode?> selected, string noun, List<ExtractionError> errors)
    {
        var items = new List<(string, JsonObject)>();
        var position = 0;
        foreach (var node in selected)
        {
            if (node is JsonArray array)
            {
                foreach (var element in array)
                {
                    Add(element);
                }
            }
            else
            {
                Add(node);
            }
        }
        return items;

        void Add(JsonNode? node)
        {
            var label = $"{noun} {position++}";
            if (node is JsonObject obj)
            {
                items.Add((label, obj));
            }
            else
            {
                errors.Add(new ExtractionError(label, $"Expected a JSON object but found {Describe(node)}; it was skipped."));
            }
        }
    }

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray => "an array",
        JsonValue value => $"a {value.GetValueKind().ToString().ToLowerInvariant()}",
        _ => "another value",
    };
}
