using Trove.Actors.WalArchive;

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

    /// <summary>The WAL archive of the instances whose datastore has point-in-time recovery (<c>Trove:Backups:WalArchive</c>).</summary>
    public WalArchiveSettings WalArchive { get; init; } = new();
}
