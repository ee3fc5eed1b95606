namespace Trove.Actors.Backups;

/// <summary>Where backups are kept. The control plane makes the place a guest writes its backup to, seals what the
/// guest reported complete, and deletes backups; guests never read a completed backup.</summary>
public interface IBackupStorage
{
    /// <summary>Makes the place the instance's guest writes this backup to, writable by that guest alone.</summary>
    Task ReserveAsync(string backupId, string instanceId, CancellationToken ct);

    /// <summary>Puts a backup its guest reported complete at its location, readable and writable by no guest.</summary>
    Task SealAsync(string backupId, CancellationToken ct);

    /// <summary>Where a backup's file is once sealed: the control plane computes it, never takes it from a report.</summary>
    string LocationOf(string backupId);

    /// <summary>Removes a backup; a missing one is already removed.</summary>
    Task DeleteAsync(string location, CancellationToken ct);
}
