using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Trove.Web.Errors;

namespace Trove.Web.RateLimiting;

/// <summary>The API's rate limits, all through ASP.NET Core's rate limiter (<c>UseRateLimiter</c>, after authorization).</summary>
public static class RateLimitsHosting
{
    /// <summary>Password logins per source address: a policy on the token route, answered in Keystone's shape.</summary>
    public static IServiceCollection AddTokenIssueLimit(this IServiceCollection services, int perMinute) =>
        services.AddRateLimiter(options => options.AddPolicy(TokenIssueLimit.Policy, new TokenIssueLimit(perMinute)));

    /// <summary>The tenant allowances as the global limiter of ASP.NET Core's rate limiting; a tenant over its allowance
    /// gets upstream's 413 overLimit with Retry-After (the whole window: the fixed-window limiter reports no less).</summary>
    public static IServiceCollection AddTenantRateLimits(this IServiceCollection services, int perMinute)
    {
        services.AddSingleton(new TenantRateLimits(perMinute));
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<TenantRateLimits>((options, limits) =>
        {
            options.GlobalLimiter = limits.ForRequests();
            options.OnRejected = (rejected, ct) => OverLimitAsync(rejected.HttpContext, rejected.Lease, limits.PerMinute, ct);
        });
        return services;
    }

    private static async ValueTask OverLimitAsync(HttpContext context, RateLimitLease lease, int perMinute, CancellationToken ct)
    {
        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TenantRateLimits.Window;
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString();
        var response = context.Response;
        response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        response.Headers.RetryAfter = seconds;
        await response.WriteAsJsonAsync(new Dictionary<string, object>
        {
            [TroveError.FaultName(413)] = new
            {
                code = 413,
                message = "This request was rate-limited.",
                details = $"Only {perMinute} {context.Request.Method} request(s) can be made to * every minute.",
                retryAfter = seconds,
            },
        }, ct);
    }
}
