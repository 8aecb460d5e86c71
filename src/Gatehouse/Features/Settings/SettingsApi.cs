using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Gatehouse.Core.Settings;
using Gatehouse.Features.Audit;
using Gatehouse.Features.Auth;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Features.Settings;

public sealed record SettingUpdate([property: Required] JsonNode? Value);

public sealed record SettingView(string Name, JsonNode? Value, string Description, bool IsDefault, DateTimeOffset? UpdatedAt);

public static class SettingsApi
{
    public static void MapSettingsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/settings").WithTags("Settings").RequireAuthorization();
        group.MapGet("/", List).WithName("ListSettings").WithSummary("List the application settings and their values.").WithListPaging();
        group.MapGet("/{name}", Get).WithName("GetSetting").WithSummary("One application setting.");
        group.MapPut("/{name}", Put).RequireAuthorization(Policies.Administrator)
            .WithName("SetSetting").WithSummary("Change a setting; it reaches every node within a second and is audited.");
    }

    internal static async Task<Ok<List<SettingView>>> List(GatehouseDb db, SettingsStore settings, CancellationToken cancellationToken)
    {
        var views = new List<SettingView>();
        foreach (var definition in SettingsCatalog.All)
        {
            views.Add(View(definition, await settings.GetAsync(db, definition, cancellationToken)));
        }
        return TypedResults.Ok(views);
    }

    internal static async Task<Results<Ok<SettingView>, ProblemHttpResult>> Get(
        string name, GatehouseDb db, SettingsStore settings, CancellationToken cancellationToken)
    {
        if (SettingsCatalog.Find(name) is not { } definition)
        {
            return UnknownSetting(name);
        }
        return TypedResults.Ok(View(definition, await settings.GetAsync(db, definition, cancellationToken)));
    }

    internal static async Task<Results<Ok<SettingView>, ProblemHttpResult>> Put(
        string name, SettingUpdate update, GatehouseDb db, CurrentUser user, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        if (SettingsCatalog.Find(name) is not { } definition)
        {
            return UnknownSetting(name);
        }
        if (definition.Validate(update.Value) is { } problem)
        {
            return Problems.Invalid([$"'value' of {definition.Name} {problem}."]);
        }
        var value = SettingsCatalog.NormalizeBoolean(update.Value) ?? update.Value!;
        var stored = await db.Settings.FirstOrDefaultAsync(s => s.Name == definition.Name, cancellationToken);
        if (stored is null)
        {
            stored = new Setting { Name = definition.Name, ValueJson = "" };
            db.Settings.Add(stored);
        }
        audit.Record(AuditActions.SettingChanged, target: definition.Name,
            detail: new { From = stored.ValueJson.Length == 0 ? definition.Default.ToJsonString() : stored.ValueJson, To = value.ToJsonString() });
        stored.ValueJson = value.ToJsonString();
        stored.UpdatedAt = time.GetUtcNow();
        stored.UpdatedByUserId = user.Id;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(View(definition, new SettingValue(value, false, stored.UpdatedAt)));
    }

    private static ProblemHttpResult UnknownSetting(string name) =>
        Problems.NotFound($"There is no setting '{name}'. Known settings: {string.Join(", ", SettingsCatalog.All.Select(s => s.Name))}.");

    private static SettingView View(SettingDefinition definition, SettingValue value) =>
        new(definition.Name, value.Value.DeepClone(), definition.Description, value.IsDefault, value.UpdatedAt);
}
