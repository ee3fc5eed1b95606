using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Trove.Web.Health;

/// <summary><c>/health/live</c> (the process answers HTTP) and <c>/health/ready</c> (this node is an Up cluster member,
/// its journal answers and its broker connection is open). Anonymous: they tell each check's state and nothing else.</summary>
public static class HealthEndpoints
{
    private const string Ready = "ready";
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    public static IServiceCollection AddTroveHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<ClusterMemberCheck>("cluster", tags: [Ready], timeout: CheckTimeout)
            .AddCheck<JournalCheck>("journal", tags: [Ready], timeout: CheckTimeout)
            .AddCheck<BrokerCheck>("broker", tags: [Ready], timeout: CheckTimeout);
        return services;
    }

    public static WebApplication MapTroveHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .AllowAnonymous().WithTags("Health");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync })
            .AllowAnonymous().WithTags("Health");
        return app;
    }

    /// <summary><c>{"status": "Healthy", "checks": {"broker": {"status": "Unhealthy", "description": "unreachable"}, ...}}</c></summary>
    private static Task WriteAsync(HttpContext context, HealthReport report) =>
        context.Response.WriteAsJsonAsync(new HealthBody(report.Status.ToString(),
            report.Entries.ToDictionary(e => e.Key, e => new HealthCheckBody(e.Value.Status.ToString(), e.Value.Description))));
}

public sealed record HealthBody(string Status, IReadOnlyDictionary<string, HealthCheckBody> Checks);

public sealed record HealthCheckBody(string Status, string? Description);
