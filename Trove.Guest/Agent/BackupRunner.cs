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
            await manager.BackupAsync(gzip, ct);
        await pending.Stream.FlushAsync(ct);
        var size = pending.Stream.Length;
        await pending.CommitAsync();
        return new Result(size, await ChecksumAsync(pending.Location, ct), pending.Location);
    }

    /// <summary>Restores a backup into the never-initialised engine; a backup whose checksum does not match is refused.</summary>
    public async Task RestoreAsync(BackupInfo backup, CancellationToken ct)
    {
        if (backup.Location is null || backup.Checksum is null)
            throw new InvalidDataException($"Backup {backup.Id} has no location or checksum to restore from.");
        var actual = await ChecksumAsync(backup.Location, ct);
        if (!string.Equals(actual, backup.Checksum, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"Backup {backup.Id} is corrupt: its checksum is {actual}, expected {backup.Checksum}.");
        await using var file = await storage.OpenReadAsync(backup.Location, ct);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await manager.RestoreAsync(gzip, ct);
    }

    private async Task<string> ChecksumAsync(string location, CancellationToken ct)
    {
        await using var file = await storage.OpenReadAsync(location, ct);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
    }
}
