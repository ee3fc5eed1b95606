using Trove.Actors.Serialization;
using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;

namespace Trove.Actors.Sharding;

/// <summary>What every entity type's shards share; every node of a cluster must agree on it.</summary>
public static class EntityShards
{
    /// <summary>The role of the nodes that host entities; others reach them through a proxy.</summary>
    public const string WorkerRole = "worker";

    /// <summary>Shards of each entity type (instance, backup, tenant).</summary>
    public const int Count = 100;

    /// <summary>Entities are not remembered (that would be a journal write each time one wakes or passivates): the
    /// read model's work resumer starts again those with work in progress.</summary>
    public static ShardOptions WorkerShards() => new()
    {
        Role = WorkerRole,
        StateStoreMode = StateStoreMode.DData,
        HandOffStopMessage = StopEntity.Instance,
    };

    /// <summary>One entity type: its shard region on a worker, a proxy to the workers' regions elsewhere.</summary>
    public static AkkaConfigurationBuilder WithEntityShards<TRegion>(this AkkaConfigurationBuilder builder, string typeName,
        bool hostsShards, IMessageExtractor extractor, Func<IActorRegistry, IDependencyResolver, Func<string, Props>> props) =>
        hostsShards
            ? builder.WithShardRegion<TRegion>(typeName, (_, registry, resolver) => props(registry, resolver), extractor, WorkerShards())
            : builder.WithShardRegionProxy<TRegion>(typeName, WorkerRole, extractor);
}

/// <summary>Shards by a stable hash of the entity id a message names, so that every node agrees where an entity lives. An
/// <see cref="Asked"/> envelope goes where its message goes, and reaches the entity whole.</summary>
public abstract class EntityIdExtractor<TMessage>(int shards, Func<TMessage, string> entityId) : HashCodeMessageExtractor(shards)
{
    public override string? EntityId(object message) => Asked.Unwrap(message) is TMessage m ? entityId(m) : null;
}
