namespace Trove.Contracts.Guests;

/// <summary>The names of a backup's files in the local backup storage, which the node makes and seals and the guest
/// writes: <c>{id}.tar.gz</c> once complete, <c>{id}.tar.gz.part</c> while the guest writes it.</summary>
public static class BackupFileNames
{
    /// <summary>The file of a complete backup.</summary>
    public static string FileOf(string directory, string backupId) => Path.Combine(directory, $"{Guid.Parse(backupId)}.tar.gz");

    /// <summary>The file a guest writes the backup to.</summary>
    public static string PartialOf(string directory, string backupId) => FileOf(directory, backupId) + ".part";
}
