using Microsoft.AspNetCore.Server.Kestrel.Core;
using Trove.Actors.Hosting;
using Trove.Web.Auth;
using Trove.Web.Endpoints;
using Trove.Web.Errors;
using Trove.Web.RateLimiting;

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
        return services;
    }

    /// <summary>Errors, routing, authentication and authorization, rate limits, then the routes.</summary>
    public static WebApplication UseTroveApi(this WebApplication app)
    {
        app.UseTroveErrors();
        app.UseTroveAuth();
        app.UseRateLimiter(); // after authorization: the tenant allowances are keyed on the tenant a caller may reach
        app.MapTroveApi();
        return app;
    }
}
