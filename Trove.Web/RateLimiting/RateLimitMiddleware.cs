using Trove.Web.Errors;

namespace Trove.Web.RateLimiting;

public static class RateLimitMiddleware
{
    /// <summary>Answers Trove's 413 overLimit, with Retry-After, to a tenant over its per-minute allowance of a verb.
    /// After authorization, keyed on the routed tenant the request was allowed to reach.</summary>
    public static WebApplication UseTroveRateLimits(this WebApplication app)
    {
        var limiter = app.Services.GetRequiredService<TenantRateLimiter>();
        if (!limiter.Enabled)
            return app;
        app.Use(async (context, next) =>
        {
            if (context.GetRouteValue("tenantId") is string tenant && limiter.TryAcquire(tenant, context.Request.Method.ToUpperInvariant()) is { } wait)
            {
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                context.Response.Headers.RetryAfter = seconds.ToString();
                await context.Response.WriteAsJsonAsync(new
                {
                    overLimit = new
                    {
                        code = 413,
                        message = "This request was rate-limited.",
                        details = $"Only {limiter.PerMinute} {context.Request.Method} request(s) can be made to * every minute.",
                        retryAfter = seconds.ToString(),
                    },
                });
                return;
            }
            await next();
        });
        return app;
    }
}
