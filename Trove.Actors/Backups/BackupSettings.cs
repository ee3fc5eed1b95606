using Trove.Contracts.Datastores;

namespace Trove.Actors.Backups;

public sealed record BackupSettings
{
    public const string LocalStorage = "local";
    public const string SwiftStorage = "swift";

    /// <summary>Where backups are kept: <see cref="LocalStorage"/> (files in the node's backups directory, for the local
    /// compute driver) or <see cref="SwiftStorage"/> (OpenStack Swift, which a guest on a cloud's server can reach).</summary>
    public string Storage { get; init; } = LocalStorage;

    public SwiftBackupSettings Swift { get; init; } = new();

    /// <summary>A backup not finished by then is FAILED, so that none stays BUILDING forever.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan PassivateAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Datastore versions (<c>datastore:version</c>, e.g. <c>postgresql:15</c>) whose instances archive no WAL;
    /// the others with point-in-time recovery archive it continuously into the backup storage.</summary>
    public IReadOnlyList<string> WalArchiveOff { get; init; } = [];

    /// <summary>Whether new instances of this datastore version archive their WAL: into the local storage only, so far.</summary>
    public bool ArchivesWal(string datastore, string version) =>
        Storage == LocalStorage && DatastoreProfiles.Find(datastore)?.Supports(DatastoreCapability.PointInTimeRecovery) == true
        && !WalArchiveOff.Contains($"{datastore}:{version}", StringComparer.OrdinalIgnoreCase);
}
