using System.Runtime.InteropServices;

namespace Trove.Actors.Files;

/// <summary>
/// The node's files are the node's alone: everything it makes from now on (journal, snapshots, read model and their
/// -wal/-shm, the token key) is 0600 and every directory 0700, and what an older node left is closed the same way.
/// The data dir itself stays searchable, so that the servers' OS users reach their own server directories under it.
/// </summary>
public static class NodeFiles
{
    public static void Protect(string dataDir)
    {
        _ = UMask(Convert.ToInt32("077", 8));
        Directory.CreateDirectory(dataDir);
        FileModes.Set(dataDir, FileModes.Searchable);
        foreach (var file in Directory.EnumerateFiles(dataDir))
            FileModes.Set(file, FileModes.Get(file) & FileModes.OwnerOnly);
    }

    [DllImport("libc", EntryPoint = "umask")]
    private static extern int UMask(int mask);
}
