using System.Runtime.InteropServices;

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

    /// <summary>Gives <paramref name="path"/> (never what a link there points to) to <paramref name="uid"/>:<paramref name="gid"/> with <paramref name="mode"/>.</summary>
    public static void Own(string path, int uid, int gid, UnixFileMode mode)
    {
        if (LChown(path, uid, gid) != 0)
            throw new IOException($"chown {path} to {uid}:{gid} failed: errno {Marshal.GetLastPInvokeError()}");
        Set(path, mode);
    }

    [DllImport("libc", EntryPoint = "lchown", SetLastError = true)]
    private static extern int LChown(string path, int uid, int gid);
}
