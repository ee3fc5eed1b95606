using System.Collections.Concurrent;
using Trove.Actors.Backups;
using Trove.Contracts.Guests;

namespace Trove.Tests.Support;

/// <summary>A backup storage double for actor specs only: nothing is written, a backup's location is a name; it
/// remembers what was deleted.</summary>
public sealed class NoBackupStorage : IBackupStorage
{
    public static readonly ConcurrentQueue<string> Deleted = new();

    public Task<string?> ReserveAsync(BackupPlace place, CancellationToken ct) => Task.FromResult<string?>(null);
    public Task<SealedBackup> SealAsync(BackupPlace place, ReportedBackup reported, CancellationToken ct) =>
        Task.FromResult(new SealedBackup($"/backups/{place.BackupId}.tar.gz"));
    public Task<BackupInfo> ReadableAsync(BackupInfo chain, CancellationToken ct) => Task.FromResult(chain);
    public Task DeleteAsync(string location, CancellationToken ct)
    {
        Deleted.Enqueue(location);
        return Task.CompletedTask;
    }
}
