using Akka.Hosting;
using Trove.Actors.Guests;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;
using Trove.Actors.Sharding;
using Trove.Actors.Tenants;

namespace Trove.Actors.Backups;

/// <summary>Registry key of the <c>backup</c> shard region (or its proxy).</summary>
public sealed class BackupRegion;

/// <summary>Tags backup events for the backup projection.</summary>
public sealed class BackupEventTagger() : KindTagger<BackupEvents.IBackupEvent>(BackupRegistration.TypeName);

public sealed class BackupMessageExtractor(int shards) : EntityIdExtractor<IWithBackupId>(shards, m => m.BackupId);

public static class BackupRegistration
{
    public const string TypeName = "backup";

    public static readonly ProjectedKind<BackupState, BackupEvents.IBackupEvent> Projection = new(TypeName,
        BackupState.Apply, s => new RowFacts(s.TenantId, s.Created, s.IsDeleted, s.HasWork));

    public static AkkaConfigurationBuilder WithBackups(this AkkaConfigurationBuilder builder, bool hostsShards, BackupSettings settings, int shards = EntityShards.Count) =>
        builder.WithEntityShards<BackupRegion>(TypeName, hostsShards, new BackupMessageExtractor(shards), (registry, resolver) => id =>
            BackupActor.Props(id, resolver.GetService<IGuestRpc>(), registry.Get<InstanceRegion>(), registry.Get<TenantRegion>(),
                registry.Get<BackupRegion>, resolver.GetService<IBackupStorage>(), settings, resolver.GetService<ReadModelDb>(),
                resolver.GetService<WalRetention>()));
}
