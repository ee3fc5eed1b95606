using System.Text.Json.Nodes;
using Trove.Actors.Files;

namespace Trove.Actors.Compute;

/// <summary>
/// The published guest agent, copied where every server's OS user can run it: the node's own directory may lie
/// anywhere (a CI clone, under /root, 0700). Only the guest's files (its deps.json says which) are copied, and only
/// those that changed since the last copy.
/// </summary>
public static class GuestAgentFiles
{
    private const UnixFileMode ReadableFile = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode OpenDirectory = ReadableFile | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>Copies the guest next to this assembly into <paramref name="target"/> (root's, world-readable) and
    /// returns the command that runs the copy with the node's dotnet host.</summary>
    public static IReadOnlyList<string> Publish(string target)
    {
        var source = AppContext.BaseDirectory;
        foreach (var file in FilesOf(source))
            CopyIfChanged(Path.Combine(source, file), Path.Combine(target, file), target);
        SetMode(target, OpenDirectory);
        var host = LocalComputeSettings.DefaultGuestCommand()[0];
        return [host, Path.Combine(target, "Trove.Guest.dll")];
    }

    /// <summary>The guest's assembly, its deps and runtimeconfig, and the runtime assets of its dependencies, as paths
    /// relative to the application directory (a RID-specific publish puts runtimes/{rid}/native/x beside the rest).</summary>
    private static IEnumerable<string> FilesOf(string source)
    {
        string[] own = ["Trove.Guest.dll", "Trove.Guest.deps.json", "Trove.Guest.runtimeconfig.json"];
        var deps = JsonNode.Parse(File.ReadAllText(Path.Combine(source, "Trove.Guest.deps.json")))!;
        var target = deps["targets"]![(string)deps["runtimeTarget"]!["name"]!]!.AsObject();
        var assets = target.SelectMany(library => new[] { "runtime", "native" }
                .SelectMany(kind => library.Value?[kind]?.AsObject().Select(a => Path.GetFileName(a.Key)) ?? [])
                .Concat(library.Value?["runtimeTargets"]?.AsObject().SelectMany(a => new[] { a.Key, Path.GetFileName(a.Key) }) ?? []));
        return own.Concat(assets).Distinct().Where(f => File.Exists(Path.Combine(source, f)));
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
