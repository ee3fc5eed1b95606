using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Trove.Actors.Instances;

namespace Trove.Actors.Tenants;

/// <summary>Registry key of the <c>tenant</c> shard region (or its proxy).</summary>
public sealed class TenantRegion;

public sealed class TenantMessageExtractor(int shards) : HashCodeMessageExtractor(shards)
{
    public override string? EntityId(object message) => (message as IWithTenantId)?.TenantId;
}

public static class TenantRegistration
{
    public const string TypeName = "tenant";

    public static AkkaConfigurationBuilder WithTenants(this AkkaConfigurationBuilder builder, bool hostsShards, QuotaLimits defaults, int shards = InstanceRegistration.ShardCount)
    {
        var extractor = new TenantMessageExtractor(shards);
        return hostsShards
            ? builder.WithShardRegion<TenantRegion>(TypeName, id => TenantActor.Props(id, defaults), extractor,
                InstanceRegistration.WorkerShards())
            : builder.WithShardRegionProxy<TenantRegion>(TypeName, InstanceRegistration.WorkerRole, extractor);
    }
}
