using System.Text.Json.Nodes;

namespace Gatehouse.Core.Intake;

public sealed record ExtractedEvent(string Label, JsonObject Raw, MappedFields Fields);

public sealed record ExtractedIncident(string Label, JsonObject Raw, MappedFields Fields, IReadOnlyList<ExtractedEvent> Events);

public sealed record ExtractionError(string Item, string Message);

public sealed record EventExtraction(IReadOnlyList<ExtractedEvent> Events, IReadOnlyList<ExtractionError> Errors);

public sealed record IncidentExtraction(IReadOnlyList<ExtractedIncident> Incidents, IReadOnlyList<ExtractionError> Errors);

/// <summary>Turns a request body into mapped events or incidents, with an error per item it had to skip.</summary>
public static class IntakeExtractor
{
    public static EventExtraction ExtractEvents(JsonNode? body, CompiledIntake intake)
    {
        var errors = new List<ExtractionError>();
        var events = SelectItems(body, intake.Main, "event", errors)
            .Select(item => new ExtractedEvent(item.Label, item.Node, intake.Fields.Apply(item.Node)))
            .ToList();
        return new EventExtraction(events, errors);
    }

    public static IncidentExtraction ExtractIncidents(JsonNode? body, CompiledIntake incidentIntake, CompiledIntake eventIntake)
    {
        var errors = new List<ExtractionError>();
        var incidents = new List<ExtractedIncident>();
        foreach (var (label, node) in SelectItems(body, incidentIntake.Main, "incident", errors))
        {
            var events = new List<ExtractedEvent>();
            if (incidentIntake.EventsPath is { } eventsPath)
            {
                var selected = eventsPath.Select(node);
                foreach (var (eventLabel, eventNode) in Flatten(selected, $"{label} event", errors))
                {
                    events.Add(new ExtractedEvent(eventLabel, eventNode, eventIntake.Fields.Apply(eventNode)));
                }
            }
            incidents.Add(new ExtractedIncident(label, node, incidentIntake.Fields.Apply(node), events));
        }
        return new IncidentExtraction(incidents, errors);
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
