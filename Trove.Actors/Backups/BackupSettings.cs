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
}
