using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Trove.Actors.Compute;
using Trove.Actors.Guests;
using Trove.Actors.Sharding;
using Trove.Actors.ReadModel;
using Trove.Actors.Tenants;

namespace Trove.Actors.Instances;

/// <summary>Registry key of the <c>instance</c> shard region (or its proxy on api-only nodes).</summary>
public sealed class InstanceRegion;

/// <summary>Tags instance events for the instance projection.</summary>
public sealed class InstanceEventTagger() : KindTagger<InstanceEvents.IInstanceEvent>(InstanceRegistration.TypeName);

public sealed class InstanceMessageExtractor(int shards) : EntityIdExtractor<IWithInstanceId>(shards, m => m.InstanceId);

public static class InstanceRegistration
{
    public const string TypeName = "instance";

    /// <summary>How the read model follows instances: with the entity's own apply.</summary>
    public static readonly ProjectedKind<InstanceState, InstanceEvents.IInstanceEvent> Projection = new(TypeName,
        (state, e) => state is null && e is not InstanceEvents.Created ? null : InstanceState.Apply(state, e),
        s => new RowFacts(s.TenantId, s.Created, s.IsDeleted, s.HasWork));

    public static AkkaConfigurationBuilder WithInstances(this AkkaConfigurationBuilder builder, bool hostsShards, InstanceSettings settings, int shards = EntityShards.Count) =>
        builder.WithEntityShards<InstanceRegion>(TypeName, hostsShards, new InstanceMessageExtractor(shards), (registry, resolver) => id =>
            InstanceActor.Props(id, resolver.GetService<ICompute>(), resolver.GetService<IGuestRpc>(), registry.Get<TenantRegion>(), settings,
                resolver.GetService<IConfigurationGroups>()));
}
