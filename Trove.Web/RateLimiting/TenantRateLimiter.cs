using System.Collections.Concurrent;

namespace Trove.Web.RateLimiting;

/// <summary>
/// Upstream's rate limits: per tenant and HTTP verb, a fixed number of requests per minute, counted by each API
/// node on its own (as each upstream API worker does).
/// </summary>
public sealed class TenantRateLimiter(int perMinute, TimeProvider clock)
{
    public static readonly string[] Verbs = ["POST", "PUT", "DELETE", "GET"];
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private sealed class Counter
    {
        public DateTimeOffset WindowStart;
        public int Count;
    }

    private readonly ConcurrentDictionary<(string Tenant, string Verb), Counter> _counters = new();

    public int PerMinute => perMinute;
    public bool Enabled => perMinute > 0;

    /// <summary>Counts a request; null when it may go on, else how long until the tenant may send this verb again.</summary>
    public TimeSpan? TryAcquire(string tenant, string verb)
    {
        var counter = _counters.GetOrAdd((tenant, verb), _ => new Counter { WindowStart = clock.GetUtcNow() });
        lock (counter)
        {
            var now = clock.GetUtcNow();
            if (now - counter.WindowStart >= Window)
                (counter.WindowStart, counter.Count) = (now, 0);
            if (counter.Count >= perMinute)
                return counter.WindowStart + Window - now;
            counter.Count++;
            return null;
        }
    }

    /// <summary>What is left of a verb's allowance this minute, and when the next window opens.</summary>
    public (int Remaining, DateTimeOffset NextAvailable) Peek(string tenant, string verb)
    {
        var now = clock.GetUtcNow();
        if (!_counters.TryGetValue((tenant, verb), out var counter))
            return (perMinute, now);
        lock (counter)
        {
            return now - counter.WindowStart >= Window
                ? (perMinute, now)
                : (perMinute - counter.Count, counter.Count >= perMinute ? counter.WindowStart + Window : now);
        }
    }
}
