using Trove.Contracts.Guests;

namespace Trove.Actors.Backups;

/// <summary>Where backups are kept. The control plane makes the place a guest writes its backup to, seals what the
/// guest reported complete, makes a restore's chain readable by the restoring guest, and deletes backups.</summary>
public interface IBackupStorage
{
    /// <summary>Makes the place the instance's guest writes this backup to, writable by that guest alone, and says how
    /// the guest reaches it: null for a file the guest knows by the backup's id, or a URI through which that one
    /// backup, and nothing else, can be written (<see cref="BackupInfo.AccessUri"/>).</summary>
    Task<string?> ReserveAsync(BackupPlace place, CancellationToken ct);

    /// <summary>Checks a backup its guest reported complete against the report and puts it at its location, readable
    /// and writable by no guest; repeating it for a sealed backup gives the same answer.</summary>
    Task<SealedBackup> SealAsync(BackupPlace place, ReportedBackup reported, CancellationToken ct);

    /// <summary>The chain (full backup at the bottom) as a restoring guest gets it: each link it reads over HTTP carries
    /// its <see cref="BackupInfo.AccessUri"/>; links the compute driver copies to the server are left as they are.</summary>
    Task<BackupInfo> ReadableAsync(BackupInfo chain, CancellationToken ct);

    /// <summary>Removes a backup; a missing one is already removed.</summary>
    Task DeleteAsync(string location, CancellationToken ct);
}

/// <summary>A backup's place in the storage: its id, the instance whose guest writes it, the tenant it belongs to.</summary>
public sealed record BackupPlace(string BackupId, string InstanceId, string TenantId);

/// <summary>What the guest reported of a complete backup: its size, its SHA-256, and the MD5 of what it uploaded (object storage).</summary>
public sealed record ReportedBackup(long? Size, string? Checksum, string? Etag);

/// <summary>A sealed backup: where it is (the control plane's, never a report's), and the stored object's ETag, if any.</summary>
public sealed record SealedBackup(string Location, string? Etag = null);
