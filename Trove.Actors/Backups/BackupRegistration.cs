using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Trove.Actors.Guests;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;

namespace Trove.Actors.Backups;

/// <summary>Registry key of the <c>backup</c> shard region (or its proxy).</summary>
public sealed class BackupRegion;

public sealed class BackupMessageExtractor(int shards) : HashCodeMessageExtractor(shards)
{
    public override string? EntityId(object message) => (message as IWithBackupId)?.BackupId;
}

public static class BackupRegistration
{
    public const string TypeName = "backup";

    public static readonly ProjectedKind<BackupState, BackupEvents.IBackupEvent> Projection = new(TypeName,
        BackupState.Apply, s => new RowFacts(s.TenantId, s.Created, s.IsDeleted, s.HasWork));

    public static AkkaConfigurationBuilder WithBackups(this AkkaConfigurationBuilder builder, bool hostsShards, BackupSettings settings, int shards = InstanceRegistration.ShardCount)
    {
        var extractor = new BackupMessageExtractor(shards);
        if (!hostsShards)
            return builder.WithShardRegionProxy<BackupRegion>(TypeName, InstanceRegistration.WorkerRole, extractor);
        return builder.WithShardRegion<BackupRegion>(TypeName,
            (_, registry, resolver) => id => BackupActor.Props(id, resolver.GetService<IGuestRpc>(), registry.Get<InstanceRegion>(),
                registry.Get<BackupRegion>, resolver.GetService<IBackupStorage>(), settings),
            extractor,
            InstanceRegistration.WorkerShards());
    }
}
