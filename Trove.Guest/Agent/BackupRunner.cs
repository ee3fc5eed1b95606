using System.IO.Compression;
using System.Security.Cryptography;
using Trove.Actors.Backups;
using Trove.Actors.Guests;
using Trove.Guest.Datastores;

namespace Trove.Guest.Agent;

/// <summary>Takes backups to the backup storage (gzip, with a SHA-256 checksum) and restores them after checking it.</summary>
public sealed class BackupRunner(IDatastoreManager manager, IBackupStorage storage)
{
    public sealed record Result(long Size, string Checksum, string Location);

    public async Task<Result> BackupAsync(BackupInfo backup, CancellationToken ct)
    {
        await using var pending = await storage.CreateAsync(backup.Id, ct);
        await using (var gzip = new GZipStream(pending.Stream, CompressionLevel.Fastest, leaveOpen: true))
            await manager.BackupAsync(gzip, backup.Id, backup.Parent?.Id, ct);
        await pending.Stream.FlushAsync(ct);
        var size = pending.Stream.Length;
        await pending.CommitAsync();
        return new Result(size, await ChecksumAsync(pending.Location, ct), pending.Location);
    }

    /// <summary>Restores a backup (its full backup, then each increment) into the never-initialised engine; every
    /// file's checksum is checked first, and a corrupt one refuses the whole restore.</summary>
    public async Task RestoreAsync(BackupInfo backup, CancellationToken ct)
    {
        var chain = backup.Chain();
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
            await using var file = await storage.OpenReadAsync(chain[i].Location!, ct);
            await using var gzip = new GZipStream(file, CompressionMode.Decompress);
            if (i == 0)
                await manager.RestoreAsync(gzip, ct);
            else
                await manager.RestoreIncrementAsync(gzip, ct);
        }
    }

    private async Task<string> ChecksumAsync(string location, CancellationToken ct)
    {
        await using var file = await storage.OpenReadAsync(location, ct);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
    }
}
