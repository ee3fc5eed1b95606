namespace Trove.Actors.Backups;

/// <summary>The default backup storage: one file per backup in a directory (under the data dir), written to a
/// temporary name and renamed when complete, so that a location never names a partial backup.</summary>
public sealed class LocalBackupStorage(string directory) : IBackupStorage
{
    private readonly string _root = Path.GetFullPath(directory);

    public Task<PendingBackup> CreateAsync(string backupId, CancellationToken ct)
    {
        Directory.CreateDirectory(_root);
        var final = LocationOf(backupId);
        var partial = final + ".part";
        var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        return Task.FromResult(new PendingBackup(stream, final,
            () => { File.Move(partial, final, overwrite: true); return Task.CompletedTask; },
            () => { File.Delete(partial); return Task.CompletedTask; }));
    }

    public string LocationOf(string backupId) => Path.Combine(_root, $"{Guid.Parse(backupId)}.tar.gz");

    public Task<Stream> OpenReadAsync(string location, CancellationToken ct) =>
        Task.FromResult<Stream>(new FileStream(Inside(location), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true));

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
}
