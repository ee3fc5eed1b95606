using Akka.Hosting;
using Trove.Actors.Sharding;

namespace Trove.Actors.Tenants;

/// <summary>Registry key of the <c>tenant</c> shard region (or its proxy).</summary>
public sealed class TenantRegion;

public sealed class TenantMessageExtractor(int shards) : EntityIdExtractor<IWithTenantId>(shards, m => m.TenantId);

public static class TenantRegistration
{
    public const string TypeName = "tenant";

    public static AkkaConfigurationBuilder WithTenants(this AkkaConfigurationBuilder builder, bool hostsShards, QuotaLimits defaults, int shards = EntityShards.Count) =>
        builder.WithEntityShards<TenantRegion>(TypeName, hostsShards, new TenantMessageExtractor(shards), (_, _) => id => TenantActor.Props(id, defaults));
}
