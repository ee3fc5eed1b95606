using Trove.Actors.Compute;
using Trove.Actors.Files;
using Trove.Contracts.Guests;
using static Trove.Contracts.Guests.BackupFileNames;

namespace Trove.Actors.Backups;

/// <summary>The default backup storage: one file per backup in a directory (under the data dir) that is root's and
/// that guests can search but neither list nor write. A guest writes its backup into <c>{id}.tar.gz.part</c>, which
/// the node made for its server's OS user alone; once the guest reports it complete, the node makes it root's (0600)
/// and renames it to <c>{id}.tar.gz</c>, so that a location never names a partial backup and no guest reads one.</summary>
public sealed class LocalBackupStorage(string directory) : IBackupStorage
{
    private readonly string _root = Path.GetFullPath(directory);

    /// <summary>The guest writes the file it knows by the backup's id: no URI.</summary>
    public Task<string?> ReserveAsync(BackupPlace place, CancellationToken ct) => Task.Run(string? () =>
    {
        var (uid, gid) = ServerUsers.IdsOf(ServerUsers.NameOf(place.InstanceId))
                         ?? throw new InvalidOperationException($"instance {place.InstanceId} has no server to take a backup on");
        Directory.CreateDirectory(_root);
        var partial = PartialOf(_root, place.BackupId);
        using (new FileStream(partial, FileMode.OpenOrCreate, FileAccess.Write)) { } // a repeated reserve keeps the file
        Own(partial, uid, gid);
        return null;
    }, ct);

    public Task<SealedBackup> SealAsync(BackupPlace place, ReportedBackup reported, CancellationToken ct) => Task.Run(() =>
    {
        var backupId = place.BackupId;
        var partial = PartialOf(_root, backupId);
        var final = FileOf(_root, backupId);
        if (File.Exists(partial))
        {
            Own(partial, 0, 0); // root's before it is visible at its location
            File.Move(partial, final, overwrite: true);
        }
        else if (!File.Exists(final))
        {
            throw new FileNotFoundException($"backup {backupId} has no file in the backup storage");
        }
        return new SealedBackup(final);
    }, ct);

    /// <summary>The compute driver copies a restore's files into the new server: the guest reads them there.</summary>
    public Task<BackupInfo> ReadableAsync(BackupInfo chain, CancellationToken ct) => Task.FromResult(chain);

    public Task DeleteAsync(string location, CancellationToken ct)
    {
        File.Delete(Inside(location));
        return Task.CompletedTask;
    }

    /// <summary>Only locations inside the storage directory are touched, whatever a report claimed.</summary>
    private string Inside(string location)
    {
        var full = Path.GetFullPath(location);
        return full.StartsWith(_root + Path.DirectorySeparatorChar)
            ? full
            : throw new UnauthorizedAccessException($"{location} is not in the backup storage");
    }

    private static void Own(string path, int uid, int gid) => FileModes.Own(path, uid, gid, FileModes.OwnerReadWrite);
}
