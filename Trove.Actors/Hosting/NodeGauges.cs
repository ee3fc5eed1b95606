using Akka.Actor;
using Akka.Cluster.Sharding;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Trove.Actors.Backups;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;
using Trove.Actors.Telemetry;
using Trove.Actors.Tenants;

namespace Trove.Actors.Hosting;

/// <summary><see cref="TroveMetrics"/>' gauge readings, polled every <see cref="Every"/> rather than on each scrape: the shard regions'
/// state (asked as <c>sharding regions</c> of trove-admin does) and the read model's instances by status.</summary>
public sealed class NodeGauges(IServiceProvider services, ReadModelDb readModel, ILogger<NodeGauges> log) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(5);
    private static readonly string[] TypeNames = [InstanceRegistration.TypeName, BackupRegistration.TypeName, TenantRegistration.TypeName];

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        TroveMetrics.Register();
        using var timer = new PeriodicTimer(Every);
        do
        {
            try
            {
                TroveMetrics.Last = await ReadAsync(services.GetRequiredService<ActorSystem>(), ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                log.LogDebug("gauges not read: {Error}", e.Message); // the last readings stay
            }
        } while (await timer.WaitForNextTickAsync(ct));
    }

    private async Task<TroveMetrics.Readings> ReadAsync(ActorSystem system, CancellationToken ct)
    {
        var sharding = ClusterSharding.Get(system);
        var entities = new Dictionary<string, long>();
        var shards = new Dictionary<string, long>();
        var regions = new Dictionary<string, long> { ["region"] = 0, ["proxy"] = 0 };
        foreach (var type in TypeNames)
        {
            if (!sharding.ShardTypeNames.Contains(type))
            {
                regions["proxy"]++;
                continue;
            }
            regions["region"]++;
            var state = await sharding.ShardRegion(type).Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(3), ct);
            shards[type] = state.Shards.Count;
            entities[type] = state.Shards.Sum(s => s.EntityIds.Count);
        }
        var instances = await readModel.AllTenantsAsync<InstanceState>(InstanceRegistration.TypeName, ct);
        var byStatus = instances.GroupBy(i => i.Status).ToDictionary(g => g.Key, g => (long)g.Count());
        return new TroveMetrics.Readings(entities, shards, regions, byStatus);
    }
}
