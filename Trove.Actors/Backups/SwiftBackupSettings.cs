namespace Trove.Actors.Backups;

/// <summary>How backups are kept in Swift (<c>Trove:Backups:Storage = swift</c>), with the cloud account of <c>Trove:OpenStack</c>.</summary>
public sealed record SwiftBackupSettings
{
    /// <summary>Each tenant's backups are in the container of this prefix and the tenant's id (upstream: database_backups).</summary>
    public string ContainerPrefix { get; init; } = "database_backups_";

    /// <summary>How long a guest's URL to write its backup (or read a restore's) is good for: longer than a backup may
    /// take to start (<see cref="BackupSettings.Timeout"/>) and than a new server takes to restore.</summary>
    public TimeSpan TempUrlTtl { get; init; } = TimeSpan.FromHours(2);

    /// <summary>How long a guest's URL to archive its WAL is good for; its instance grants a fresh one on the first
    /// heartbeat after half of this, so a node may be down for the other half before an archive waits (and PostgreSQL keeps
    /// the segments it could not archive until then).</summary>
    public TimeSpan WalGrantTtl { get; init; } = TimeSpan.FromHours(12);
}
