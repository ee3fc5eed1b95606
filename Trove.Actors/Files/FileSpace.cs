using System.Runtime.InteropServices;

namespace Trove.Actors.Files;

/// <summary>Disk space of a file, apart from its contents.</summary>
internal static class FileSpace
{
    /// <summary>Allocates every block of <paramref name="path"/> up to its length, as the program that made it had: its
    /// holes become allocated blocks that read as zeros, written to disk by nobody (posix_fallocate), so that writing
    /// there later cannot fail for want of space.</summary>
    public static void Preallocate(string path)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        var error = PosixFallocate((int)file.DangerousGetHandle(), 0, RandomAccess.GetLength(file));
        if (error != 0)
            throw new IOException($"preallocating {path} failed: errno {error}");
    }

    /// <summary>Returns the error number rather than setting errno.</summary>
    [DllImport("libc", EntryPoint = "posix_fallocate")]
    private static extern int PosixFallocate(int fd, long offset, long length);
}
