extern alias ScalarDocs;
using Microsoft.OpenApi;
using ScalarDocs::Scalar.AspNetCore;

namespace Trove.Web.OpenApi;

/// <summary>
/// The API's OpenAPI document, generated from the endpoints, at <c>/openapi/v1.json</c>, and its reference page (Scalar)
/// at <c>/docs</c>, whose script the package serves from this node: no CDN, no font service, no telemetry.
/// Both anonymous: they describe the routes, never a tenant's data.
/// </summary>
public static class OpenApiHosting
{
    public const string DocumentName = "v1";
    public const string DocumentPattern = "/openapi/{documentName}.json";
    public const string ReferencePath = "/docs";

    public static IServiceCollection AddTroveOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi(DocumentName, options => options.AddRequestSchemas().AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Trove (Database as a Service) on Akka.NET",
                Version = "v1.0",
                Description = "OpenStack Trove's v1.0 API. Tenant routes take a token from POST /v3/auth/tokens (or Keystone) in X-Auth-Token.",
            };
            return Task.CompletedTask;
        }));
        return services;
    }

    public static WebApplication MapTroveOpenApi(this WebApplication app)
    {
        app.MapOpenApi(DocumentPattern).AllowAnonymous();
        app.MapScalarApiReference(ReferencePath, options => options
                .WithTitle("Trove API reference")
                .WithOpenApiRoutePattern(DocumentPattern)
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp())
            .AllowAnonymous();
        return app;
    }
}
