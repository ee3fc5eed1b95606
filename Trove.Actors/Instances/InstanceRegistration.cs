using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Trove.Actors.Compute;
using Trove.Actors.Guests;
using Trove.Actors.Sharding;
using Trove.Actors.ReadModel;
using Trove.Actors.Tenants;
using Trove.Actors.WalArchive;

namespace Trove.Actors.Instances;

/// <summary>Registry key of the <c>instance</c> shard region (or its proxy on api-only nodes).</summary>
public sealed class InstanceRegion;

/// <summary>Tags instance events for the instance projection.</summary>
public sealed class InstanceEventTagger() : KindTagger<InstanceEvents.IInstanceEvent>(InstanceRegistration.TypeName);

/// <summary>Tags the quota holds' events (a create's, a resize's) for the quota-hold projection.</summary>
public sealed class QuotaHoldTagger() : KindTagger<QuotaEvents.IHoldEvent>(InstanceRegistration.QuotaHoldKind);

public sealed class InstanceMessageExtractor(int shards) : EntityIdExtractor<IWithInstanceId>(shards, m => m.InstanceId);

public static class InstanceRegistration
{
    public const string TypeName = "instance";

    /// <summary>How the read model follows instances: with the entity's own apply.</summary>
    public static readonly ProjectedKind<InstanceState, InstanceEvents.IInstanceEvent> Projection = new(TypeName,
        (state, e) => state is null && e is not InstanceEvents.Created ? null : InstanceState.Apply(state, e),
        s => new RowFacts(s.TenantId, s.Created, s.IsDeleted, s.HasWork));

    /// <summary>The read model's kind for the instances' holds on their tenants' quota.</summary>
    public const string QuotaHoldKind = "quota-hold";

    /// <summary>How the read model follows the instances' quota holds: a row per instance that ever held one, busy while
    /// one is open, so that the work resumer wakes its entity (which keeps or gives it back) after a crash.</summary>
    public static readonly ProjectedKind<QuotaHolds, QuotaEvents.IHoldEvent> QuotaHoldProjection = new(QuotaHoldKind,
        QuotaHolds.Apply, h => new RowFacts(h.TenantId, h.Since, Deleted: false, Busy: h.IsOpen))
    {
        PersistenceIdPrefix = $"{TypeName}-",
    };

    public static AkkaConfigurationBuilder WithInstances(this AkkaConfigurationBuilder builder, bool hostsShards, InstanceSettings settings, int shards = EntityShards.Count) =>
        builder.WithEntityShards<InstanceRegion>(TypeName, hostsShards, new InstanceMessageExtractor(shards), (registry, resolver) => id =>
            InstanceActor.Props(id, resolver.GetService<ICompute>(), resolver.GetService<IGuestRpc>(), registry.Get<TenantRegion>(), settings,
                resolver.GetService<IConfigurationGroups>(), resolver.GetService<IRestorePoints>(), resolver.GetService<ReadModelDb>(),
                registry.Get<InstanceRegion>(), resolver.GetService<IWalArchiveGrants>(), resolver.GetService<ConductorClock>()));
}
