using Microsoft.AspNetCore.Routing.Patterns;
using Trove.Actors.Hosting;

namespace Trove.Web.Logging;

/// <summary>
/// The node's console log: one line per entry, as text (the default) or as JSON when <c>Trove:Logging:Format</c> is
/// <c>json</c>, with its scopes: ASP.NET Core's request scope (RequestId, RequestPath) and, on a route of one instance,
/// <c>InstanceId</c> and <c>TenantId</c>, on every line logged once the request is routed.
/// </summary>
public static class LoggingHosting
{
    public static ILoggingBuilder AddTroveConsole(this ILoggingBuilder logging, LoggingSettings settings)
    {
        if (settings.IsJson)
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        else
            logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        return logging;
    }

    /// <summary>After routing: the routed instance's id and its tenant as a scope of the rest of the request.</summary>
    public static WebApplication UseInstanceLogScope(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint() is RouteEndpoint endpoint && IsInstanceRoute(endpoint.RoutePattern)
                && context.Request.RouteValues.TryGetValue("id", out var id))
            {
                using var scope = app.Logger.BeginScope(new InstanceScope(id?.ToString(), context.Request.RouteValues.GetValueOrDefault("tenantId")?.ToString()));
                await next(context);
            }
            else
            {
                await next(context);
            }
        });
        return app;
    }

    /// <summary>A route whose <c>{id}</c> follows the <c>instances</c> segment: one instance and what it holds.</summary>
    private static bool IsInstanceRoute(RoutePattern pattern)
    {
        var segments = pattern.PathSegments;
        for (var i = 1; i < segments.Count; i++)
            if (segments[i].Parts is [RoutePatternParameterPart { Name: "id" }]
                && segments[i - 1].Parts is [RoutePatternLiteralPart { Content: "instances" }])
                return true;
        return false;
    }
}
