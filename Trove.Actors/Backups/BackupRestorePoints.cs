using Akka.Actor;
using Trove.Actors.Instances;
using Trove.Actors.Sharding;
using Trove.Actors.WalArchive;

namespace Trove.Actors.Backups;

/// <summary>A restore's backup, as the instance entity asks for it: the backup's entity walks its chain, and the storage
/// makes each link readable by the restoring guest (signed for this restore; the instance journals only the locations);
/// the WAL archive says whether the backup's instance archived anything to recover to a time from.</summary>
public sealed class BackupRestorePoints(Func<IActorRef> backups, IBackupStorage storage, LocalWalArchive? walArchive = null) : IRestorePoints
{
    public async Task<RestorePoint> FindAsync(string tenantId, string backupId, TimeSpan timeout) =>
        BackupDecisions.RestorePointOf(await backups().AskEntityAsync<BackupReply>(new BackupCommands.GetChain(backupId, tenantId), timeout)) switch
        {
            RestorePoint.Found found => found with
            {
                Chain = await storage.ReadableAsync(found.Chain, CancellationToken.None),
                WalArchived = found.InstanceId is { } instanceId && walArchive?.Holds(instanceId) == true,
            },
            var refused => refused,
        };
}
