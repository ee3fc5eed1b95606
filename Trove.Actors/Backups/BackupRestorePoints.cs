using Akka.Actor;
using Trove.Actors.Instances;
using Trove.Actors.Sharding;

namespace Trove.Actors.Backups;

/// <summary>A restore's backup, as the instance entity asks for it: the backup's entity walks its chain, and the storage
/// makes each link readable by the restoring guest (signed for this restore; the instance journals only the locations).</summary>
public sealed class BackupRestorePoints(Func<IActorRef> backups, IBackupStorage storage) : IRestorePoints
{
    public async Task<RestorePoint> FindAsync(string tenantId, string backupId, TimeSpan timeout) =>
        BackupDecisions.RestorePointOf(await backups().AskEntityAsync<BackupReply>(new BackupCommands.GetChain(backupId, tenantId), timeout)) switch
        {
            RestorePoint.Found found => found with { Chain = await storage.ReadableAsync(found.Chain, CancellationToken.None) },
            var refused => refused,
        };
}
