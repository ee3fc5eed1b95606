using Trove.Actors.Files;

namespace Trove.Actors.Compute;

/// <summary>
/// The guest agent, which ships in the <see cref="Folder"/> folder next to this assembly, copied where every server's OS
/// user can run it: the node's own directory may lie anywhere (a CI clone, under /root, 0700). Only the files that
/// changed since the last copy are copied. A published node ships it Native AOT, one executable
/// (<see cref="NativeExecutable"/>); a build's output (the tests') ships its assemblies, run with the node's dotnet host.
/// </summary>
public static class GuestAgentFiles
{
    /// <summary>The folder of the node's output that holds the guest agent (Trove.Guest/GuestAgent.targets makes it).</summary>
    public const string Folder = "guest-agent";

    public const string EntryAssembly = "Trove.Guest.dll";

    /// <summary>The guest published Native AOT (Trove.Guest/GuestAgent.targets): it runs without a dotnet host.</summary>
    public const string NativeExecutable = "Trove.Guest";

    private const UnixFileMode ReadableFile = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode OpenDirectory = ReadableFile | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    private const UnixFileMode ExecutableFile = OpenDirectory;

    /// <summary>Where the guest agent ships, next to this assembly.</summary>
    public static string Shipped => Path.Combine(AppContext.BaseDirectory, Folder);

    /// <summary>Copies the shipped guest into <paramref name="target"/> (root's, world-readable) and returns the command
    /// that runs the copy.</summary>
    public static IReadOnlyList<string> Publish(string target)
    {
        var source = Shipped;
        if (!File.Exists(Path.Combine(source, EntryAssembly)) && !File.Exists(Path.Combine(source, NativeExecutable)))
            throw new FileNotFoundException($"The guest agent is not in {source}: build the node (Trove.Web) or the tests, which ship it there.");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            CopyIfChanged(file, Path.Combine(target, Path.GetRelativePath(source, file)), target);
        SetMode(target, OpenDirectory);
        return Command(source, target);
    }

    /// <summary>The command that runs the guest shipped in <paramref name="shipped"/>, from its copy in
    /// <paramref name="folder"/>: its assembly with the node's dotnet host when it shipped one (a build's output), else
    /// its native executable. Told by what shipped, not by the copy, which may keep an older release's assemblies.</summary>
    public static IReadOnlyList<string> Command(string shipped, string folder) =>
        File.Exists(Path.Combine(shipped, EntryAssembly))
            ? [DotnetHost(), Path.Combine(folder, EntryAssembly)]
            : [Path.Combine(folder, NativeExecutable)];

    /// <summary>The dotnet host this node runs on.</summary>
    public static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH")
        ?? (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet");

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
        SetMode(tmp, FileModes.Get(from).HasFlag(UnixFileMode.UserExecute) ? ExecutableFile : ReadableFile);
        File.SetLastWriteTimeUtc(tmp, source.LastWriteTimeUtc);
        File.Move(tmp, to, overwrite: true); // a running guest keeps the file it loaded
    }

    private static void SetMode(string path, UnixFileMode mode) => FileModes.Set(path, mode);
}
