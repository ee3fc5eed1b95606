namespace Trove.Actors.Backups;

public sealed record BackupSettings
{
    /// <summary>A backup not finished by then is FAILED, so that none stays BUILDING forever.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan PassivateAfter { get; init; } = TimeSpan.FromMinutes(2);
}
