using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Trove.Actors.Hosting;
using Trove.Actors.Telemetry;

namespace Trove.Web.Telemetry;

/// <summary>
/// Metrics for Prometheus at <c>/metrics</c> (OpenTelemetry: ASP.NET Core's requests by route and status with their
/// latency, the .NET runtime, and <see cref="TroveMetrics.MeterNames"/>). Traces only when
/// <c>Trove:Telemetry:OtlpEndpoint</c> names a collector: an API request, its ask into the entity, the entity's handling
/// and its guest calls (<see cref="TroveTracing"/>), continued by the guest. Off by default, they cost nothing then.
/// </summary>
public static class TelemetryHosting
{
    public const string MetricsPath = "/metrics";

    public static IServiceCollection AddTroveTelemetry(this IServiceCollection services, TelemetrySettings settings)
    {
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("trove", serviceVersion: TroveNodeExtensions.AppVersion))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter([.. TroveMetrics.MeterNames])
                .AddPrometheusExporter());
        if (settings.Checked() is { Traces: true, OverHttp: var overHttp })
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = context => context.Request.Path != MetricsPath)
                .AddSource(TroveTracing.SourceName) // the ask, the entity's handling, its guest calls (with traceparent)
                .AddOtlpExporter(o =>
                {
                    o.Endpoint = new Uri(settings.OtlpEndpoint!);
                    o.Protocol = overHttp ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                }));
        return services;
    }

    /// <summary>Anonymous, as Prometheus scrapes: counts and latencies by route template, nothing of a request's content.</summary>
    public static WebApplication MapTroveMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath).AllowAnonymous();
        return app;
    }
}
