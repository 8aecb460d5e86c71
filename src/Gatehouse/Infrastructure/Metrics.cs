using OpenTelemetry.Metrics;

namespace Gatehouse.Infrastructure;

/// <summary>
/// One OpenTelemetry setup: Gatehouse's own meters and ASP.NET Core's request metrics, exported as
/// Prometheus text at <c>/metrics</c>.
/// </summary>
public static class Metrics
{
    public static IServiceCollection AddGatehouseMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(Features.Playbooks.PlaybookMetrics.MeterName)
            .AddMeter(Features.Intake.IntakeMetrics.MeterName)
            .AddMeter(Sandbox.SandboxPool.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddPrometheusExporter());
        return services;
    }

    public static void MapGatehouseMetrics(this WebApplication app) =>
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
}
