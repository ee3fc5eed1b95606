namespace Trove.Actors.Files;

/// <summary>File modes, which the host boundary rests on; the local compute driver runs on Linux only.</summary>
internal static class FileModes
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Others may pass through, not list: 0711.</summary>
    public const UnixFileMode Searchable = OwnerOnly | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public static void Set(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("the local compute driver runs on Linux");
        File.SetUnixFileMode(path, mode);
    }

    public static UnixFileMode Get(string path) =>
        OperatingSystem.IsLinux() ? File.GetUnixFileMode(path) : throw new PlatformNotSupportedException("the local compute driver runs on Linux");
}
