using Trove.Actors.Files;

namespace Trove.Actors.Compute;

/// <summary>
/// The guest agent, which ships in the <see cref="Folder"/> folder next to this assembly with every assembly of its own,
/// copied where every server's OS user can run it: the node's own directory may lie anywhere (a CI clone, under /root,
/// 0700). Only the files that changed since the last copy are copied.
/// </summary>
public static class GuestAgentFiles
{
    /// <summary>The folder of the node's output that holds the guest agent (Trove.Guest/GuestAgent.targets makes it).</summary>
    public const string Folder = "guest-agent";

    public const string EntryAssembly = "Trove.Guest.dll";

    private const UnixFileMode ReadableFile = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode OpenDirectory = ReadableFile | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>Where the guest agent ships, next to this assembly.</summary>
    public static string Shipped => Path.Combine(AppContext.BaseDirectory, Folder);

    /// <summary>Copies the shipped guest into <paramref name="target"/> (root's, world-readable) and returns the command
    /// that runs the copy with the node's dotnet host.</summary>
    public static IReadOnlyList<string> Publish(string target)
    {
        var source = Shipped;
        if (!File.Exists(Path.Combine(source, EntryAssembly)))
            throw new FileNotFoundException($"The guest agent is not in {source}: build the node (Trove.Web) or the tests, which ship it there.");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            CopyIfChanged(file, Path.Combine(target, Path.GetRelativePath(source, file)), target);
        SetMode(target, OpenDirectory);
        var host = LocalComputeSettings.DefaultGuestCommand()[0];
        return [host, Path.Combine(target, EntryAssembly)];
    }

    private static void CopyIfChanged(string from, string to, string root)
    {
        var source = new FileInfo(from);
        var copy = new FileInfo(to);
        if (copy.Exists && copy.Length == source.Length && copy.LastWriteTimeUtc == source.LastWriteTimeUtc)
            return;
        for (var dir = Path.GetDirectoryName(to)!; dir.Length >= root.Length; dir = Path.GetDirectoryName(dir)!)
        {
            Directory.CreateDirectory(dir);
            SetMode(dir, OpenDirectory);
        }
        var tmp = to + ".tmp";
        File.Copy(from, tmp, overwrite: true);
        SetMode(tmp, ReadableFile);
        File.SetLastWriteTimeUtc(tmp, source.LastWriteTimeUtc);
        File.Move(tmp, to, overwrite: true); // a running guest keeps the file it loaded
    }

    private static void SetMode(string path, UnixFileMode mode) => FileModes.Set(path, mode);
}
