using Gatehouse.Features.Integrations;
using Gatehouse.Storage;

namespace Gatehouse.Features.Console.Pages;

public sealed class IntegrationsModel(GatehouseDb db) : ConsolePageModel
{
    public IReadOnlyList<IntegrationView> Integrations { get; private set; } = [];

    public static string Describe(Core.Intake.IntakeDefinition? intake) =>
        intake is null ? "None" : $"{intake.MainJsonPath} · {intake.FieldMappings.Count} mappings";

    public async Task OnGetAsync() => Integrations = (await IntegrationsApi.List(db, Aborted)).Value ?? [];
}
