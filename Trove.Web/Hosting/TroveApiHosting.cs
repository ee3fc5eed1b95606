using Microsoft.AspNetCore.Server.Kestrel.Core;
using Trove.Actors.Hosting;
using Trove.Web.Auth;
using Trove.Web.Dashboard;
using Trove.Web.Endpoints;
using Trove.Web.Errors;
using Trove.Web.Health;
using Trove.Web.Logging;
using Trove.Web.OpenApi;
using Trove.Web.RateLimiting;
using Trove.Web.Telemetry;

namespace Trove.Web.Hosting;

/// <summary>The HTTP API of a node: its services and its pipeline, the same for the node and for the tests that walk its routes.</summary>
public static class TroveApiHosting
{
    /// <summary>No request body of the API comes near this; Kestrel would otherwise read 30 MB.</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    public static IServiceCollection AddTroveApi(this IServiceCollection services, IConfiguration configuration, TroveSettings settings)
    {
        services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        services.AddTenantRateLimits(settings.RateLimitPerMinute);
        services.AddTroveAuth(configuration.GetSection("Trove:Auth"), settings.HttpHost, settings.FullDataDir);
        services.AddTroveHealth();
        services.AddTroveTelemetry(settings.Telemetry);
        services.AddTroveOpenApi();
        services.AddCallerAsk();
        return services;
    }

    /// <summary>Errors, routing, authentication and authorization, rate limits, then the routes.</summary>
    public static WebApplication UseTroveApi(this WebApplication app)
    {
        app.Use(RefuseOversizedBodies);
        app.UseTroveErrors();
        app.UseTroveDashboard(); // before authentication: the page is public, the API it calls is not
        app.UseInstanceLogScope();
        app.UseTroveAuth();
        app.UseRateLimiter(); // after authorization: the tenant allowances are keyed on the tenant a caller may reach
        app.MapTroveApi();
        app.MapTroveHealth();
        app.MapTroveMetrics();
        app.MapTroveOpenApi();
        return app;
    }

    /// <summary>A body declared larger than any the API reads is refused before anything else runs, on every route: the
    /// answer comes at once, before a client that waits for <c>100 Continue</c> starts sending it. Every other request
    /// goes on without an allocation of its own (no closure, no state machine).</summary>
    private static Task RefuseOversizedBodies(HttpContext context, RequestDelegate next)
    {
        if (!(context.Request.ContentLength > MaxRequestBodyBytes))
            return next(context);
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        return context.Response.WriteAsJsonAsync(TroveError.Body(StatusCodes.Status413PayloadTooLarge,
            $"The request body is larger than {MaxRequestBodyBytes} bytes."));
    }
}
