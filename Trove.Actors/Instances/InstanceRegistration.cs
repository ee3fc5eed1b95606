using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Trove.Actors.Compute;
using Trove.Actors.Guests;
using Trove.Actors.Hosting;
using Trove.Actors.ReadModel;
using Trove.Actors.Tenants;

namespace Trove.Actors.Instances;

/// <summary>Registry key of the <c>instance</c> shard region (or its proxy on api-only nodes).</summary>
public sealed class InstanceRegion;

/// <summary>Shards by a stable hash of the instance id, so that every node agrees where an entity lives.</summary>
public sealed class InstanceMessageExtractor(int shards) : HashCodeMessageExtractor(shards)
{
    public override string? EntityId(object message) => (message as IWithInstanceId)?.InstanceId;
}

public static class InstanceRegistration
{
    public const string TypeName = "instance";
    public const string WorkerRole = "worker";
    /// <summary>Shards of each entity type (instance, backup, tenant); every node of a cluster must agree on it.</summary>
    public const int ShardCount = 100;

    /// <summary>How the read model follows instances: with the entity's own apply.</summary>
    public static readonly ProjectedKind<InstanceState, InstanceEvents.IInstanceEvent> Projection = new(TypeName,
        (state, e) => state is null && e is not InstanceEvents.Created ? null : InstanceState.Apply(state, e),
        s => new RowFacts(s.TenantId, s.Created, s.IsDeleted, s.HasWork));

    /// <summary>Shards on the worker nodes. Entities are not remembered (that would be a journal write each time one
    /// wakes or passivates): the <see cref="WorkResumer"/> starts again those with work in progress.</summary>
    public static ShardOptions WorkerShards() => new()
    {
        Role = WorkerRole,
        StateStoreMode = StateStoreMode.DData,
        HandOffStopMessage = StopEntity.Instance,
    };

    public static AkkaConfigurationBuilder WithInstances(this AkkaConfigurationBuilder builder, bool hostsShards, InstanceSettings settings, int shards = InstanceRegistration.ShardCount)
    {
        var extractor = new InstanceMessageExtractor(shards);
        if (!hostsShards)
            return builder.WithShardRegionProxy<InstanceRegion>(TypeName, WorkerRole, extractor);
        return builder.WithShardRegion<InstanceRegion>(TypeName,
            (_, registry, resolver) => id => InstanceActor.Props(id,
                resolver.GetService<ICompute>(), resolver.GetService<IGuestRpc>(), registry.Get<TenantRegion>(), settings),
            extractor,
            WorkerShards());
    }
}
