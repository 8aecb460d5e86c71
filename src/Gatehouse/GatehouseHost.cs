using Gatehouse.Features.Audit;
using Gatehouse.Features.Auth;
using Gatehouse.Features.Commands;
using Gatehouse.Features.Statistics;
using Gatehouse.Features.Console;
using Gatehouse.Features.Rules;
using Gatehouse.Features.Events;
using Gatehouse.Features.Health;
using Gatehouse.Features.Incidents;
using Gatehouse.Features.Intake;
using Gatehouse.Features.Integrations;
using Gatehouse.Features.Keys;
using Gatehouse.Features.Settings;
using Gatehouse.Features.Sites;
using Gatehouse.Features.Users;
using Gatehouse.Features.Webhooks;
using Gatehouse.Infrastructure;
using Gatehouse.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Identity;
using Gatehouse.Infrastructure.OpenApi;

namespace Gatehouse;

public static class GatehouseHost
{
    public static WebApplicationBuilder AddGatehouse(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.Configuration.AddGatehouseLogDefaults();
        services.PostConfigure<LoggerFilterOptions>(LogLevels.KeepUrlsOutOfLogs);
        // Everything configurable is read through options when first used, so that settings
        // applied late (the test host, command-line overrides) are honoured.
        services.AddOptions<GatehouseOptions>()
            .BindConfiguration(GatehouseOptions.Section)
            .PostConfigure(o =>
            {
                // Relative to the working directory (./data by default), not to the content root, which
                // is the app's own folder (see GatehouseCli), like every other path an operator gives.
                o.DataDirectory = Path.GetFullPath(o.DataDirectory);
                Infrastructure.DataDirectory.Secure(o.DataDirectory);
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<GatehouseOptions>, GatehouseOptionsValidation>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<GatehouseOptions>>(
            (kestrel, gatehouse) => kestrel.Limits.MaxRequestBodySize = gatehouse.Value.Intake.MaxBodyBytes);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls("http://127.0.0.1:5080");
        }

        services.AddGatehouseStorage();
        services.AddDataProtection().SetApplicationName("Gatehouse");
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        services.AddSingleton<SecretProtector>();
        services.AddSingleton<DatabaseReadiness>();
        services.AddScoped<DatabaseInitializer>();
        services.AddHttpContextAccessor();
        services.AddScoped<CurrentUser>();
        services.AddSingleton<PublicAddress>();
        services.AddScoped<KeyPresenter>();
        services.AddScoped<KeyAccess>();
        services.AddScoped<KeyValidation>();
        services.AddScoped<AuditLog>();
        services.AddSingleton<JsonBodies>();
        services.AddSingleton<Features.Commands.ParameterChecks>();
        services.AddScoped<IncidentLifecycle>();
        services.AddScoped<Features.Events.EventTriage>();
        services.AddSingleton<AuthFailureAudit>();
        services.AddHostedService(provider => provider.GetRequiredService<AuthFailureAudit>());
        services.AddScoped<WebhookAuthenticator>();
        services.AddScoped<WebhookFrontDoor>();
        services.AddScoped<TokenVerifier>();
        services.AddScoped<CommandHandler>();
        services.AddScoped<CommandExecutor>();
        services.AddSingleton<CommandRunRecorder>();
        services.AddHostedService(provider => provider.GetRequiredService<CommandRunRecorder>());
        services.AddSingleton<CommandCatalog>();
        services.AddSingleton<Infrastructure.Sandbox.SandboxPool>();
        services.AddSingleton<OutboundHttp>();
        services.AddScoped<IntegrationCommandRunner>();
        services.AddHostedService<UsedTokenSweeper>();
        services.AddScoped<IntakeHandler>();
        services.AddScoped<IngestionResults>();
        services.AddScoped<Features.Statistics.StatisticsQueries>();
        services.AddSingleton<Features.Statistics.StatisticsGate>();
        services.AddScoped<IngestionProcessor>();
        services.AddScoped<IngestionDrafter>();
        services.AddScoped<Features.Replay.ReplayPreparer>();
        services.AddScoped<Features.Replay.ReplayWriter>();
        services.AddSingleton<Features.Replay.ReplaySignals>();
        services.AddHostedService<Features.Replay.ReplayWorker>();
        services.AddSingleton<IntakeDefinitions>();
        services.AddSingleton<FormatterRunner>();
        services.AddSingleton<IngestionApplier>();
        services.AddSingleton<Features.Attack.AttackContent>();
        services.AddHostedService(provider => provider.GetRequiredService<Features.Attack.AttackContent>());
        services.AddSingleton<IngestionSignals>();
        services.AddSingleton<WebhookDirectory>();
        services.AddSingleton<SignedSenders>();
        services.AddSingleton<ClientAddresses>();
        services.AddSingleton<SettingsStore>();
        services.AddSingleton<KeyRateLimiter>();
        services.AddHostedService<IngestionWorker>();
        services.AddSingleton<IntakeMetrics>();
        services.AddSingleton<IngestionWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<IngestionWriter>());
        services.AddSingleton<IntakeBacklog>();
        services.AddHostedService(provider => provider.GetRequiredService<IntakeBacklog>());
        services.AddSingleton<Features.Playbooks.PlaybookLibrary>();
        services.AddSingleton<Features.Playbooks.PlaybookSecrets>();
        services.AddSingleton<Features.Playbooks.PlaybookSignals>();
        services.AddSingleton<Features.Playbooks.PlaybookMetrics>();
        services.AddSingleton<Features.Playbooks.PlaybookTriggers>();
        services.AddSingleton<Features.Playbooks.PlaybookTaskRunner>();
        services.AddHostedService<Features.Playbooks.PlaybookEngine>();

        services.AddGatehouseProblemDetails();
        services.ConfigureHttpJsonOptions(json =>
        {
            GatehouseJson.Configure(json.SerializerOptions);
            // Request bodies only: a misspelt member is refused, not silently ignored (stored JSON keeps its own options).
            json.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;
            // A number is a JSON number: "5" for a count is the wrong kind, refused like any other.
            json.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
            // {"username":"x","username":"admin"}: a proxy or WAF may read the first, the handler would read the last.
            json.SerializerOptions.AllowDuplicateProperties = false;
        });
        // Binding failures reach the exception handler, which says what was wrong instead of a bare 400.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        services.AddScoped<Credentials>();
        services.AddScoped<SignInGuard>();
        services.AddScoped<Sessions>();
        services.AddGatehouseAuthentication();
        var authorization = services.AddAuthorizationBuilder();
        authorization.AddGatehousePolicies();
        authorization.AddConsolePolicy();
        services.AddGatehouseConsole();
        services.AddGatehouseHealth();
        services.AddGatehouseTelemetry(builder.Configuration);
        services.AddGatehouseOpenApi();
        return builder;
    }

    public static WebApplication MapGatehouse(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseInstancePathPrefix();
        app.UseRouting();
        app.UseMiddleware<BodySizeLimit>();
        app.UseConsoleSecurityHeaders();
        app.UseAuthentication();
        app.UseConsoleCsrfCheck();
        app.UseAuthorization();
        app.UsePasswordChangeGate();

        app.MapGatehouseOpenApi();
        app.MapHealthEndpoints();
        app.MapGatehouseMetrics();
        app.MapAuthApi();
        app.MapSitesApi();
        app.MapUsersApi();
        app.MapUserLifecycleApi();
        app.MapSettingsApi();
        app.MapIntegrationsApi();
        app.MapMappingPreviewApi();
        app.MapKeysApi();
        app.MapIngestionsApi();
        Features.Replay.ReplayApi.MapReplayApi(app);
        app.MapEventsApi();
        app.MapEventTriageApi();
        Features.Events.EventExplainApi.MapEventExplainApi(app);
        app.MapIncidentsApi();
        app.MapAuditApi();
        app.MapIntakeEndpoints();
        app.MapCommandEndpoints();
        app.MapCommandRunsApi();
        app.MapCommandsApi();
        app.MapConnectionsApi();
        app.MapAutomationRulesApi();
        app.MapRuleTestApi();
        app.MapCommandTryApi();
        app.MapStatisticsApi();
        Features.Playbooks.PlaybooksApi.MapPlaybooksApi(app);
        Features.Playbooks.PlaybookRunsApi.MapPlaybookRunsApi(app);
        app.MapGatehouseConsole();
        return app;
    }

    /// <summary>Migrations and first-start data, before the server accepts requests.</summary>
    public static async Task InitializeGatehouseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync(app.Lifetime.ApplicationStopping);
    }
}
