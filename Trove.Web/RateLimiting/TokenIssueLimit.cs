using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Trove.Web.Auth;

namespace Trove.Web.RateLimiting;

/// <summary>Password logins per source address and minute, so that the built-in identity service cannot be used to
/// guess passwords at the speed of the network. Keystone's error shape, as the rest of <c>/v3</c>.</summary>
public sealed class TokenIssueLimit(int perMinute) : IRateLimiterPolicy<string>
{
    public const string Policy = "token-issue";

    public RateLimitPartition<string> GetPartition(HttpContext context) => perMinute <= 0
        ? RateLimitPartition.GetNoLimiter("")
        : RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "", _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0,
        });

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => async (rejected, ct) =>
    {
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 60;
        var response = rejected.HttpContext.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = seconds.ToString();
        await response.WriteAsJsonAsync(
            new KeystoneError(new KeystoneError.Fault(429, "Too Many Requests", $"Too many logins from this address; try again in {seconds} s.")), ct);
    };
}
