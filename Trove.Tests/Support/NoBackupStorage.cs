using Trove.Actors.Backups;

namespace Trove.Tests.Support;

/// <summary>A backup storage double for actor specs only: nothing is written, a backup's location is a name.</summary>
public sealed class NoBackupStorage : IBackupStorage
{
    public Task ReserveAsync(string backupId, string instanceId, CancellationToken ct) => Task.CompletedTask;
    public Task SealAsync(string backupId, CancellationToken ct) => Task.CompletedTask;
    public string LocationOf(string backupId) => $"/backups/{backupId}.tar.gz";
    public Task DeleteAsync(string location, CancellationToken ct) => Task.CompletedTask;
}
