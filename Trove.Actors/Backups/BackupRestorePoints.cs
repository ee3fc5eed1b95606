using Akka.Actor;
using Trove.Actors.Instances;
using Trove.Actors.Sharding;

namespace Trove.Actors.Backups;

/// <summary>A restore's backup, as the instance entity asks for it: the backup's entity walks its chain.</summary>
public sealed class BackupRestorePoints(Func<IActorRef> backups) : IRestorePoints
{
    public async Task<RestorePoint> FindAsync(string tenantId, string backupId, TimeSpan timeout) =>
        BackupDecisions.RestorePointOf(await backups().AskEntityAsync<BackupReply>(new BackupCommands.GetChain(backupId, tenantId), timeout));
}
