using Akka.Actor;
using Akka.Cluster;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Trove.Web.Health;

/// <summary>Ready only while this node is an Up member of the cluster: joining, leaving or removed, it hosts no shards.</summary>
public sealed class ClusterMemberCheck(ActorSystem system) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var status = Cluster.Get(system).SelfMember.Status;
        return Task.FromResult(status == MemberStatus.Up
            ? HealthCheckResult.Healthy("Up")
            : HealthCheckResult.Unhealthy(status.ToString()));
    }
}
