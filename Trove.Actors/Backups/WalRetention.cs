using Microsoft.Extensions.Logging;
using Trove.Actors.ReadModel;
using Trove.Actors.WalArchive;
using Trove.Contracts.Guests;

namespace Trove.Actors.Backups;

/// <summary>Keeps an instance's WAL archive from the start of its oldest kept backup on: run when one of its backups
/// completes or is deleted. The backups are read from the read model, which may lag; what it lags by (a backup not yet
/// shown deleted, or not yet shown) only keeps more. An instance with no backup kept keeps its whole archive.</summary>
public sealed class WalRetention(IWalArchive archive, ReadModelDb readModel, ILogger<WalRetention> log)
{
    public async Task ApplyAsync(BackupState changed)
    {
        try
        {
            var kept = (await readModel.AllAsync<BackupState>(BackupRegistration.TypeName, changed.TenantId))
                .Where(b => b.InstanceId == changed.InstanceId && b.Id != changed.Id && !b.IsDeleted && b.Status != BackupStatus.Failed)
                .Select(b => b.Created).ToList();
            if (changed is { IsDeleted: false, Status: BackupStatus.Completed })
                kept.Add(changed.Created);
            if (kept.Count == 0)
                return;
            var removed = await archive.PruneAsync(changed.TenantId, changed.InstanceId, kept.Min(), CancellationToken.None);
            if (removed.Count > 0)
                log.LogInformation("removed {Count} WAL segment(s) of instance {Instance} archived before its oldest kept backup ({First} to {Last})",
                    removed.Count, changed.InstanceId, removed[0], removed[^1]);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "the WAL archive of instance {Instance} could not be pruned; the next backup's end tries again", changed.InstanceId);
        }
    }
}
