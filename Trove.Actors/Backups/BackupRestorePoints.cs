using Akka.Actor;
using Trove.Actors.Instances;
using Trove.Actors.Sharding;
using Trove.Actors.WalArchive;

namespace Trove.Actors.Backups;

/// <summary>A restore's backup, as the instance entity asks for it: the backup's entity walks its chain, and the storage
/// makes each link readable by the restoring guest (signed for this restore; the instance journals only the locations);
/// the WAL archive says whether the backup's instance archived anything to recover to a time from, and, in object storage,
/// gives the restoring guest a URL that reads that instance's segments.</summary>
public sealed class BackupRestorePoints(Func<IActorRef> backups, IBackupStorage storage, IWalArchive? walArchive = null) : IRestorePoints
{
    public async Task<RestorePoint> FindAsync(string tenantId, string backupId, TimeSpan timeout) =>
        BackupDecisions.RestorePointOf(await backups().AskEntityAsync<BackupReply>(new BackupCommands.GetChain(backupId, tenantId), timeout)) switch
        {
            RestorePoint.Found { InstanceId: { } instanceId } found when walArchive is not null
                && await walArchive.HoldsAsync(tenantId, instanceId, CancellationToken.None) => found with
            {
                Chain = await storage.ReadableAsync(found.Chain, CancellationToken.None),
                WalArchived = true,
                WalUri = await walArchive.ReadableAsync(tenantId, instanceId, CancellationToken.None),
            },
            RestorePoint.Found found => found with { Chain = await storage.ReadableAsync(found.Chain, CancellationToken.None) },
            var refused => refused,
        };
}
