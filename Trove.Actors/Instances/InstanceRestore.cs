using Trove.Contracts.Guests;

namespace Trove.Actors.Instances;

/// <summary>The backups a new instance is restored from: the instance entity asks for the chain itself, so that a restore
/// is one ask of the entity (implemented by the backups folder, which asks the backup's entity; an interface here so that
/// the instance does not depend on it).</summary>
public interface IRestorePoints
{
    /// <summary>The tenant's COMPLETED backup with the chain under it, or the refusal the create is answered with.</summary>
    Task<RestorePoint> FindAsync(string tenantId, string backupId, TimeSpan timeout);
}

/// <summary>What a restore's backup turned out to be.</summary>
public abstract record RestorePoint
{
    /// <summary>A backup that can be restored: its chain (full backup at the bottom), the datastore it is of, the instance
    /// it was taken of, when it completed, whether that instance's WAL archive holds a segment to replay, and the URL
    /// the restoring guest reads those segments through (none: the compute driver copies them).</summary>
    public sealed record Found(BackupInfo Chain, string Datastore, string? InstanceId = null, DateTimeOffset? Completed = null,
        bool WalArchived = false, string? WalUri = null) : RestorePoint
    {
        protected override bool PrintMembers(System.Text.StringBuilder builder) => Trove.Contracts.Secrets.PrintMembers(this, builder);
    }

    /// <summary>No restore from it: missing, another tenant's, not COMPLETED, or its entity could not say.</summary>
    public sealed record Refused(InstanceReply Reply) : RestorePoint;
}
