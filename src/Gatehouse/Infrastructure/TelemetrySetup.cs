using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Gatehouse.Infrastructure;

/// <summary>
/// One OpenTelemetry setup, service name <c>gatehouse</c>: Gatehouse's own meters and ASP.NET Core's
/// request metrics, exported as Prometheus text at <c>/metrics</c>; and, when an OTLP endpoint is
/// configured (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>), traces of Gatehouse's subsystems and requests.
/// </summary>
public static class TelemetrySetup
{
    public static IServiceCollection AddGatehouseTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(Telemetry.ServiceName))
            .WithMetrics(metrics => metrics
                .AddMeter(Features.Playbooks.PlaybookMetrics.MeterName)
                .AddMeter(Features.Intake.IntakeMetrics.MeterName)
                .AddMeter(Sandbox.SandboxPool.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddPrometheusExporter());
        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource([.. Telemetry.SourceNames])
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !context.Request.Path.StartsWithSegments("/metrics"))
                .AddOtlpExporter());
        }
        return services;
    }

    public static void MapGatehouseMetrics(this WebApplication app) =>
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
}
