using Trove.Contracts.Guests;

namespace Trove.Guest.Agent;

/// <summary>
/// The guest's side of the local backup storage. It writes exactly its own backup, into the file the control plane
/// made for its OS user alone (in a directory it can neither list nor write); it restores from the copies the compute
/// driver put in its server directory, as completed backups are root's and readable by no guest.
/// </summary>
public sealed class GuestBackupFiles(string backupsDirectory, string serverDirectory)
{
    private string RestoreDirectory => Path.Combine(serverDirectory, "restore");

    /// <summary>Where the control plane keeps the backup once complete.</summary>
    public string LocationOf(string backupId) => BackupFileNames.FileOf(backupsDirectory, backupId);

    public Stream OpenForBackup(string backupId)
    {
        var partial = BackupFileNames.PartialOf(backupsDirectory, backupId);
        try
        {
            return new FileStream(partial, FileMode.Truncate, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        }
        catch (FileNotFoundException)
        {
            throw new InvalidOperationException($"The control plane made no file for backup {backupId} at {partial}.");
        }
    }

    /// <summary>The copy of the backup at <paramref name="location"/> in this server's directory.</summary>
    public Stream OpenForRestore(string location) =>
        new FileStream(Path.Combine(RestoreDirectory, Path.GetFileName(location)), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);

    /// <summary>Once restored, the copies would only count against the volume.</summary>
    public void DiscardRestoreCopies()
    {
        if (Directory.Exists(RestoreDirectory))
            Directory.Delete(RestoreDirectory, recursive: true);
    }
}
