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
/// state (asked as <c>sharding regions</c> of trove-admin does), and every <see cref="InstancesEvery"/> the instances by
/// status, counted by the read model's database and only on the cluster's leader: the count is the cluster's, not the
/// node's, and one node asking is enough.</summary>
public sealed class NodeGauges(IServiceProvider services, ReadModelDb readModel, ILogger<NodeGauges> log) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan InstancesEvery = TimeSpan.FromSeconds(15);
    private IReadOnlyDictionary<string, long> _instancesByStatus = new Dictionary<string, long>();
    private long? _instancesReadAt;
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
        return new TroveMetrics.Readings(entities, shards, regions, await InstancesByStatusAsync(system, ct));
    }

    private async Task<IReadOnlyDictionary<string, long>> InstancesByStatusAsync(ActorSystem system, CancellationToken ct)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        if (cluster.State.Leader != cluster.SelfAddress)
            return _instancesByStatus = new Dictionary<string, long>();
        if (Environment.TickCount64 - _instancesReadAt < (long)InstancesEvery.TotalMilliseconds)
            return _instancesByStatus;
        var counts = await readModel.CountByAsync(InstanceRegistration.TypeName, nameof(InstanceState.Task), nameof(InstanceState.RunningBackupId), ct);
        _instancesReadAt = Environment.TickCount64;
        return _instancesByStatus = counts
            .GroupBy(c => InstanceState.StatusOf(Enum.Parse<InstanceTask>(c.First ?? "0"), deleted: false, backingUp: c.Second is not null))
            .ToDictionary(g => g.Key, g => g.Sum(c => c.Count));
    }
}
