using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Gatehouse.Core.Auth;
using Gatehouse.Core.Intake;
using Gatehouse.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Features.Integrations;

public sealed record MappingPreviewRequest(IntakeRequest? EventIntake, IntakeRequest? IncidentIntake, IntakeKind? Intake, [property: Required] JsonNode? Sample);

public sealed record MappedItemView(string Label, JsonObject Fields, IReadOnlyList<MappedItemView> Events);

public sealed record MappingPreview(IReadOnlyList<MappedItemView> Items, IReadOnlyList<ExtractionError> Errors);

/// <summary>
/// <c>POST /api/integrations/mapping-preview</c>: what an intake mapping, saved or not, makes of a
/// sample body: the same extraction and mapping the pipeline runs, with nothing stored.
/// </summary>
public static class MappingPreviewApi
{
    public static void MapMappingPreviewApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/integrations/mapping-preview", Preview).WithTags("Integrations").RequireAuthorization()
            .WithName("PreviewMapping").WithSummary("Show what an intake definition makes of a sample body, without saving anything.");

    internal static Results<Ok<MappingPreview>, ProblemHttpResult> Preview(MappingPreviewRequest request)
    {
        var errors = new List<string>();
        if (request.Sample is null)
        {
            errors.Add("'sample' is required: the JSON body a sender would post.");
        }
        var (eventDefinition, incidentDefinition) = IntegrationsApi.ValidateIntakes(new IntegrationRequest(null, request.EventIntake, request.IncidentIntake), errors);
        if (request.Intake == IntakeKind.Incident && incidentDefinition is null)
        {
            errors.Add("'incidentIntake' is required to preview incident intake.");
        }
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var eventIntake = CompiledIntake.CompileValid(eventDefinition, FieldCatalog.Event);
        if (request.Intake == IntakeKind.Incident)
        {
            var incidents = IntakeExtractor.ExtractIncidents(request.Sample, CompiledIntake.CompileValid(incidentDefinition!, FieldCatalog.Incident), eventIntake);
            return TypedResults.Ok(new MappingPreview(
                incidents.Incidents.Select(i => new MappedItemView(i.Label, i.Fields.ToJson(), i.Events.Select(View).ToList())).ToList(),
                incidents.Errors));
        }
        var events = IntakeExtractor.ExtractEvents(request.Sample, eventIntake);
        return TypedResults.Ok(new MappingPreview(events.Events.Select(View).ToList(), events.Errors));
    }

    private static MappedItemView View(ExtractedEvent evt) => new(evt.Label, evt.Fields.ToJson(), []);
}
