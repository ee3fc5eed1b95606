using System.Collections.Concurrent;
using Trove.Actors.Backups;

namespace Trove.Tests.Support;

/// <summary>A backup storage double for actor specs only: nothing is written, a backup's location is a name; it
/// remembers what was deleted.</summary>
public sealed class NoBackupStorage : IBackupStorage
{
    public static readonly ConcurrentQueue<string> Deleted = new();

    public Task ReserveAsync(string backupId, string instanceId, CancellationToken ct) => Task.CompletedTask;
    public Task SealAsync(string backupId, CancellationToken ct) => Task.CompletedTask;
    public string LocationOf(string backupId) => $"/backups/{backupId}.tar.gz";
    public Task DeleteAsync(string location, CancellationToken ct)
    {
        Deleted.Enqueue(location);
        return Task.CompletedTask;
    }
}
