using System.Threading.RateLimiting;

namespace Trove.Web.RateLimiting;

/// <summary>
/// Upstream's rate limits: per tenant and HTTP verb, a fixed number of requests per minute, counted by each API node
/// on its own (as each upstream API worker does). The key is the routed tenant the request was allowed to reach, so
/// every spelling of a path counts against the one tenant; requests without a tenant route are not limited here.
/// </summary>
public sealed class TenantRateLimits : IDisposable
{
    public static readonly string[] Verbs = ["POST", "PUT", "DELETE", "GET"];
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>One allowance: a tenant and a verb; no tenant means a route outside <c>/v1.0/{tenantId}</c>.</summary>
    public readonly record struct Key(string? Tenant, string Verb)
    {
        public static Key Of(HttpContext context) =>
            new(context.GetRouteValue("tenantId") as string, context.Request.Method.ToUpperInvariant());
    }

    private readonly PartitionedRateLimiter<Key> _limiter;

    public TenantRateLimits(int perMinute)
    {
        PerMinute = perMinute;
        _limiter = PartitionedRateLimiter.Create<Key, Key>(key => key.Tenant is null || !Enabled
            ? RateLimitPartition.GetNoLimiter(key)
            : RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = perMinute, Window = Window, QueueLimit = 0,
            }));
    }

    public int PerMinute { get; }
    public bool Enabled => PerMinute > 0;

    /// <summary>The same allowances, keyed by request: the rate-limiting middleware's global limiter.</summary>
    public PartitionedRateLimiter<HttpContext> ForRequests() => _limiter.WithTranslatedKey<HttpContext>(Key.Of, leaveOpen: true);

    public RateLimitLease Acquire(Key key) => _limiter.AttemptAcquire(key);

    /// <summary>What is left of a verb's allowance this minute, and the latest time the next window opens.</summary>
    public (int Remaining, DateTimeOffset NextAvailable) Peek(string tenant, string verb, DateTimeOffset now)
    {
        var key = new Key(tenant, verb);
        var remaining = (int)(_limiter.GetStatistics(key)?.CurrentAvailablePermits ?? PerMinute);
        using var probe = _limiter.AttemptAcquire(key, permitCount: 0);
        return (remaining, probe.IsAcquired || !probe.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? now : now + wait);
    }

    public void Dispose() => _limiter.Dispose();
}
