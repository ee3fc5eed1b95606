using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Trove.Web.RateLimiting;

namespace Trove.Tests.Api;

/// <summary>The tenant allowances as the rate-limiting middleware sees them: one per routed tenant and verb.</summary>
public sealed class TenantRateLimitsTests
{
    private static HttpContext Request(string method, string? tenant)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        if (tenant is not null)
            context.Request.RouteValues["tenantId"] = tenant;
        return context;
    }

    private static bool Allowed(System.Threading.RateLimiting.PartitionedRateLimiter<HttpContext> limiter, string method, string? tenant)
    {
        using var lease = limiter.AttemptAcquire(Request(method, tenant));
        return lease.IsAcquired;
    }

    [Fact]
    public void Each_routed_tenant_and_verb_has_its_own_allowance_and_routes_without_a_tenant_are_not_counted()
    {
        using var limits = new TenantRateLimits(perMinute: 2);
        var limiter = limits.ForRequests();

        Assert.True(Allowed(limiter, "GET", "a"));
        Assert.True(Allowed(limiter, "get", "a")); // the verb as upstream counts it, whatever its case
        Assert.False(Allowed(limiter, "GET", "a"));

        Assert.True(Allowed(limiter, "POST", "a"));
        Assert.True(Allowed(limiter, "GET", "b"));
        Assert.All(Enumerable.Range(0, 5), _ => Assert.True(Allowed(limiter, "GET", null)));
    }

    [Fact]
    public void Limits_show_what_is_left_and_when_an_exhausted_verb_opens_again()
    {
        using var limits = new TenantRateLimits(perMinute: 2);
        var now = DateTimeOffset.UtcNow;
        Assert.Equal((2, now), limits.Peek("a", "GET", now));

        limits.Acquire(new TenantRateLimits.Key("a", "GET")).Dispose();
        Assert.Equal((1, now), limits.Peek("a", "GET", now));

        limits.Acquire(new TenantRateLimits.Key("a", "GET")).Dispose();
        var (remaining, next) = limits.Peek("a", "GET", now);
        Assert.Equal(0, remaining);
        Assert.InRange(next, now.AddSeconds(1), now + TenantRateLimits.Window);
    }

    [Fact]
    public void A_limit_of_zero_turns_the_tenant_allowances_off()
    {
        using var limits = new TenantRateLimits(perMinute: 0);
        Assert.False(limits.Enabled);
        Assert.All(Enumerable.Range(0, 5), _ => Assert.True(Allowed(limits.ForRequests(), "GET", "a")));
    }
}
