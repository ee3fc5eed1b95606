using System.IO.Compression;
using System.Security.Cryptography;
using Trove.Contracts.Datastores;
using Trove.Guest.Datastores;
using Trove.Contracts.Guests;

namespace Trove.Guest.Agent;

/// <summary>Takes backups to the backup storage (gzip, with a SHA-256 checksum) and restores them after checking it.</summary>
public sealed class BackupRunner(IDatastoreManager manager, DatastoreProfile profile, GuestBackupFiles files)
{
    /// <summary><paramref name="Etag"/>: the MD5 of what was uploaded to object storage, which it answered as its ETag.</summary>
    public sealed record Result(long Size, string Checksum, string Location, string? Etag = null);

    /// <summary>The checksum is taken of what is written: the guest cannot read its backup back once it is sealed. What
    /// object storage stored is checked against what was sent (its ETag is the MD5 of the object).</summary>
    public async Task<Result> BackupAsync(BackupInfo backup, CancellationToken ct)
    {
        if (backup.Parent is not null)
            CheckIncremental();
        ChecksumStream? written = null;
        var etag = await files.WriteAsync(backup, async target =>
        {
            written = new ChecksumStream(target);
            await using var gzip = new GZipStream(written, CompressionLevel.Fastest, leaveOpen: true);
            await manager.BackupAsync(gzip, backup.Id, backup.Parent?.Id, ct);
        }, ct);
        using var sums = written!;
        if (etag is not null && !string.Equals(etag, sums.Md5, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"Object storage stored backup {backup.Id} with ETag {etag}; what was sent has MD5 {sums.Md5}.");
        return new Result(sums.Length, sums.Sha256, files.LocationOf(backup), backup.AccessUri is null ? null : sums.Md5);
    }

    /// <summary>Restores a backup (its full backup, then each increment) into the never-initialised engine; every
    /// file's checksum is checked first, and a corrupt one refuses the whole restore.</summary>
    public async Task RestoreAsync(BackupInfo backup, CancellationToken ct)
    {
        var chain = backup.Chain();
        if (chain.Count > 1)
            CheckIncremental();
        await files.FetchAsync(chain, ct);
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

    /// <summary>Replays the source's archived log over what <see cref="RestoreAsync"/> restored, before its copies are discarded.</summary>
    public Task RecoverAsync(RecoveryArgs recovery, CancellationToken ct)
    {
        if (profile.Lacks(DatastoreCapability.PointInTimeRecovery) is { } refusal)
            throw new ArgumentException(refusal);
        return manager.RecoverAsync(files.WalCopies, recovery.WalUri, recovery.TargetTime, ct);
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
