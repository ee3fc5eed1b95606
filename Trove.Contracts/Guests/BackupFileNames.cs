namespace Trove.Contracts.Guests;

/// <summary>The names of a backup's files in the local backup storage, which the node makes and seals and the guest
/// writes: <c>{id}.tar.gz</c> once complete, <c>{id}.tar.gz.part</c> while the guest writes it.</summary>
public static class BackupFileNames
{
    /// <summary>The file of a complete backup.</summary>
    public static string FileOf(string directory, string backupId) => Path.Combine(directory, NameOf(backupId));

    /// <summary>The file a guest writes the backup to.</summary>
    public static string PartialOf(string directory, string backupId) => FileOf(directory, backupId) + ".part";

    /// <summary>The name of a backup's file or object, whatever holds it.</summary>
    public static string NameOf(string backupId) => $"{Guid.Parse(backupId)}.tar.gz";

    /// <summary>Whether a backup's location is in object storage (an http(s) URL) rather than a file of the local storage.</summary>
    public static bool IsUrl(string location) =>
        Uri.TryCreate(location, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
