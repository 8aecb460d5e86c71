using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Gatehouse.Core.Commands;
using Gatehouse.Core.Intake;
using Gatehouse.Features.Audit;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Integrations;

public sealed record IntakeRequest(string? MainJsonPath, string? EventsJsonPath, List<FieldMappingRow>? FieldMappings, IntakeLogSource? LogSource = null, Dictionary<string, string>? SigmaFields = null);

public sealed record IntegrationRequest([property: Required] string? Name, IntakeRequest? EventIntake, IntakeRequest? IncidentIntake, List<IntegrationCommand>? Commands = null);

/// <summary>An integration's commands, to check as saving would (the console's live validation).</summary>
public sealed record IntegrationCommandsCheck(List<IntegrationCommand>? Commands);

/// <summary>Commands that passed every check saving makes: how many.</summary>
public sealed record IntegrationCommandsChecked(int Commands);

public sealed record IntegrationView(
    int Id, string Name, IntakeDefinition EventIntake, IntakeDefinition? IncidentIntake, IReadOnlyList<IntegrationCommand> Commands,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public static class IntegrationsApi
{
    public static void MapIntegrationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/integrations").WithTags("Integrations").RequireAuthorization();
        group.MapGet("/", List).WithName("ListIntegrations").WithSummary("List the integrations with their intake definitions and commands.").WithListPaging();
        group.MapGet("/{name}", Get).WithName("GetIntegration").WithSummary("One integration.");
        group.MapPost("/", Create).RequireAuthorization(Policies.Administrator).WithName("CreateIntegration").WithSummary("Create an integration: event and incident intake definitions, commands.");
        group.MapPost("/commands/validate", ValidateCommands).RequireAuthorization(Policies.Administrator).WithName("ValidateIntegrationCommands")
            .WithSummary("Check integration commands as saving an integration checks them (every problem in one 400), without saving them.");
        group.MapPut("/{name}", Update).RequireAuthorization(Policies.Administrator)
            .WithName("ReplaceIntegration").WithSummary("Replace an integration's intake definitions and commands (its name stays).");
        group.MapDelete("/{name}", Delete).RequireAuthorization(Policies.Administrator)
            .WithName("DeleteIntegration").WithSummary("Delete an integration that has no keys and never received data (its connections go with it).");
    }

    private static Results<Ok<IntegrationCommandsChecked>, ProblemHttpResult> ValidateCommands(IntegrationCommandsCheck request)
    {
        var errors = new List<string>();
        IntegrationCommand.Validate(request.Commands ?? [], errors);
        return errors.Count > 0 ? Problems.Invalid(errors) : TypedResults.Ok(new IntegrationCommandsChecked(request.Commands?.Count ?? 0));
    }

    internal static async Task<Ok<List<IntegrationView>>> List(GatehouseDb db, CancellationToken cancellationToken)
    {
        var integrations = await db.Integrations.AsNoTracking().OrderBy(i => i.Name).ToListAsync(cancellationToken);
        return TypedResults.Ok(integrations.Select(ToView).ToList());
    }

    internal static async Task<Results<Ok<IntegrationView>, ProblemHttpResult>> Get(string name, GatehouseDb db, CancellationToken cancellationToken)
    {
        var integration = await Find(db, name, cancellationToken);
        return integration is null ? NotFound(name) : TypedResults.Ok(ToView(integration));
    }

    private static async Task<Results<Created<IntegrationView>, ProblemHttpResult>> Create(
        IntegrationRequest request, GatehouseDb db, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200 || name.Any(c => char.IsControl(c) || c is '/' or '\\'))
        {
            errors.Add("'name' is required: at most 200 characters, without '/', '\\' or control characters.");
        }
        var (eventIntake, incidentIntake) = ValidateIntakes(request, errors);
        IntegrationCommand.Validate(request.Commands ?? [], errors);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var normalized = Normalize.Name(name!);
        if (await db.Integrations.AnyAsync(i => i.NormalizedName == normalized, cancellationToken))
        {
            return Duplicates.Integration(name!);
        }
        var now = time.GetUtcNow();
        var integration = new Integration
        {
            Name = name!,
            NormalizedName = normalized,
            EventIntakeJson = IntakeJson.Serialize(eventIntake),
            IncidentIntakeJson = incidentIntake is null ? null : IntakeJson.Serialize(incidentIntake),
            CommandsJson = IntakeJson.SerializeCommands(request.Commands ?? []),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Integrations.Add(integration);
        await audit.SaveCreatedAsync(AuditActions.IntegrationCreated, () => (integration.Name, ToView(integration), null), cancellationToken);
        return TypedResults.Created($"/api/integrations/{Uri.EscapeDataString(integration.Name)}", ToView(integration));
    }

    internal static async Task<Results<Ok<IntegrationView>, ProblemHttpResult>> Update(
        string name, IntegrationRequest request, GatehouseDb db, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var integration = await Find(db, name, cancellationToken);
        if (integration is null)
        {
            return NotFound(name);
        }
        var errors = new List<string>();
        if (request.Name is { } given && Normalize.Name(given.Trim()) != integration.NormalizedName)
        {
            errors.Add($"'name': an integration keeps its name ('{integration.Name}'): its request URLs and keys use it.");
        }
        var (eventIntake, incidentIntake) = ValidateIntakes(request, errors);
        IntegrationCommand.Validate(request.Commands ?? [], errors);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var before = ToView(integration);
        integration.CommandsJson = IntakeJson.SerializeCommands(request.Commands ?? []);
        integration.EventIntakeJson = IntakeJson.Serialize(eventIntake);
        integration.IncidentIntakeJson = incidentIntake is null ? null : IntakeJson.Serialize(incidentIntake);
        if (audit.RecordChange(AuditActions.IntegrationUpdated, integration.Name, before, ToView(integration)))
        {
            integration.UpdatedAt = time.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
        }
        return TypedResults.Ok(ToView(integration));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string name, GatehouseDb db, AuditLog audit, CancellationToken cancellationToken)
    {
        var integration = await Find(db, name, cancellationToken);
        if (integration is null)
        {
            return NotFound(name);
        }
        var id = integration.Id;
        var counts = new (int Count, string One, string Many)[]
        {
            (await db.WebhookKeys.CountAsync(k => k.IntegrationId == id, cancellationToken), "key", "keys"),
            (await db.Ingestions.CountAsync(i => i.IntegrationId == id, cancellationToken), "ingestion", "ingestions"),
            (await db.Events.CountAsync(e => e.IntegrationId == id, cancellationToken), "event", "events"),
            (await db.Incidents.CountAsync(i => i.IntegrationId == id, cancellationToken), "incident", "incidents"),
        };
        if (Counted.Describe(counts) is { Count: > 0 } left)
        {
            return Problems.Conflict("integration_in_use",
                $"The integration '{integration.Name}' still has {string.Join(", ", left)}: delete its keys to stop its intake. "
                + "An integration that received data stays, for the history of its events and incidents.");
        }
        var connections = await db.IntegrationConnections.Where(c => c.IntegrationId == id).Include(c => c.Site).Select(c => c.Site!.Name).ToListAsync(cancellationToken);
        audit.Record(AuditActions.IntegrationDeleted, target: integration.Name, detail: new { Integration = ToView(integration), ConnectionsRemoved = connections });
        db.Integrations.Remove(integration);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    internal static (IntakeDefinition Event, IntakeDefinition? Incident) ValidateIntakes(IntegrationRequest request, List<string> errors)
    {
        var eventIntake = request.EventIntake is null
            ? IntakeDefinition.WholeBody
            : new IntakeDefinition(request.EventIntake.MainJsonPath ?? "$", request.EventIntake.FieldMappings ?? [], null, request.EventIntake.LogSource, request.EventIntake.SigmaFields);
        CompiledIntake.Compile(eventIntake, FieldCatalog.Event, "eventIntake", errors);
        IntakeDefinition? incidentIntake = null;
        if (request.IncidentIntake is { } incident)
        {
            incidentIntake = new IntakeDefinition(incident.MainJsonPath ?? "$", incident.FieldMappings ?? [], incident.EventsJsonPath);
            CompiledIntake.Compile(incidentIntake, FieldCatalog.Incident, "incidentIntake", errors);
        }
        return (eventIntake, incidentIntake);
    }

    public static Task<Integration?> Find(GatehouseDb db, string name, CancellationToken cancellationToken)
    {
        var normalized = Normalize.Name(name);
        return db.Integrations.FirstOrDefaultAsync(i => i.NormalizedName == normalized, cancellationToken);
    }

    private static ProblemHttpResult NotFound(string name) => Problems.NotFound($"There is no integration '{name}'.");

    private static IntegrationView ToView(Integration integration) =>
        new(integration.Id, integration.Name, IntakeJson.Deserialize(integration.EventIntakeJson),
            integration.IncidentIntakeJson is null ? null : IntakeJson.Deserialize(integration.IncidentIntakeJson),
            IntakeJson.Commands(integration),
            integration.CreatedAt, integration.UpdatedAt);
}

/// <summary>How intake definitions are stored in the integration row.</summary>
public static class IntakeJson
{
    public static string Serialize(IntakeDefinition definition) => JsonSerializer.Serialize(definition, GatehouseJson.Options);

    public static string SerializeCommands(IReadOnlyList<IntegrationCommand> commands) => JsonSerializer.Serialize(commands, GatehouseJson.Options);

    public static IReadOnlyList<IntegrationCommand> Commands(Integration integration) =>
        integration.CommandsJson is null ? [] : JsonSerializer.Deserialize<List<IntegrationCommand>>(integration.CommandsJson, GatehouseJson.Options) ?? [];

    public static IntakeDefinition Deserialize(string json) =>
        JsonSerializer.Deserialize<IntakeDefinition>(json, GatehouseJson.Options) ?? IntakeDefinition.WholeBody;
}
