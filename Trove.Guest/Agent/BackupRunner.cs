using System.IO.Compression;
using System.Security.Cryptography;
using Trove.Contracts.Datastores;
using Trove.Guest.Datastores;
using Trove.Contracts.Guests;

namespace Trove.Guest.Agent;

/// <summary>Takes backups to the backup storage (gzip, with a SHA-256 checksum) and restores them after checking it.</summary>
public sealed class BackupRunner(IDatastoreManager manager, DatastoreProfile profile, GuestBackupFiles files)
{
    public sealed record Result(long Size, string Checksum, string Location);

    /// <summary>The checksum is taken of what is written: the guest cannot read its backup back once it is sealed.</summary>
    public async Task<Result> BackupAsync(BackupInfo backup, CancellationToken ct)
    {
        if (backup.Parent is not null)
            CheckIncremental();
        await using var file = files.OpenForBackup(backup.Id);
        using var sha = SHA256.Create();
        await using (var hashing = new CryptoStream(file, sha, CryptoStreamMode.Write, leaveOpen: true))
        await using (var gzip = new GZipStream(hashing, CompressionLevel.Fastest, leaveOpen: true))
            await manager.BackupAsync(gzip, backup.Id, backup.Parent?.Id, ct);
        await file.FlushAsync(ct);
        return new Result(file.Length, Convert.ToHexStringLower(sha.Hash!), files.LocationOf(backup.Id));
    }

    /// <summary>Restores a backup (its full backup, then each increment) into the never-initialised engine; every
    /// file's checksum is checked first, and a corrupt one refuses the whole restore.</summary>
    public async Task RestoreAsync(BackupInfo backup, CancellationToken ct)
    {
        var chain = backup.Chain();
        if (chain.Count > 1)
            CheckIncremental();
        foreach (var link in chain)
        {
            if (link.Location is null || link.Checksum is null)
                throw new InvalidDataException($"Backup {link.Id} has no location or checksum to restore from.");
            var actual = await ChecksumAsync(link.Location, ct);
            if (!string.Equals(actual, link.Checksum, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"Backup {link.Id} is corrupt: its checksum is {actual}, expected {link.Checksum}.");
        }
        for (var i = 0; i < chain.Count; i++)
        {
            await using var file = files.OpenForRestore(chain[i].Location!);
            await using var gzip = new GZipStream(file, CompressionMode.Decompress);
            if (i == 0)
                await manager.RestoreAsync(gzip, ct);
            else
                await manager.RestoreIncrementAsync(gzip, ct);
        }
    }

    /// <summary>The API refuses increments of a datastore without them; a message that reaches the guest some other way
    /// is refused again, as a client's error.</summary>
    private void CheckIncremental()
    {
        if (profile.Lacks(DatastoreCapability.IncrementalBackups) is { } refusal)
            throw new ArgumentException(refusal);
    }

    public void DiscardRestoreCopies() => files.DiscardRestoreCopies();

    private async Task<string> ChecksumAsync(string location, CancellationToken ct)
    {
        await using var file = files.OpenForRestore(location);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
    }
}
