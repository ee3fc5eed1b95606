using System.Security.Cryptography;

namespace Trove.Actors.Files;

/// <summary>A secret made once in a file that only the node's OS user can read (keys, tokens).</summary>
public static class KeyFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>32 random bytes, made on first use.</summary>
    public static byte[] ReadOrCreate(string path) => ReadOrCreate(path, () => RandomNumberGenerator.GetBytes(32));

    /// <summary>The file's bytes, written with <paramref name="content"/> first when there is no file; a file that others
    /// can read (copied, or left by an older version) is closed to them.</summary>
    public static byte[] ReadOrCreate(string path, Func<byte[]> content)
    {
        if (!File.Exists(path))
            Create(path, content());
        else if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~OwnerOnly) != 0)
            File.SetUnixFileMode(path, OwnerOnly);
        return File.ReadAllBytes(path);
    }

    /// <summary>Written aside and moved into place, so that a node starting at the same time reads a whole secret.</summary>
    private static void Create(string path, byte[] content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tmp = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = OwnerOnly;
        using (var file = new FileStream(tmp, options))
            file.Write(content);
        try
        {
            File.Move(tmp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(tmp); // another node made it first; use theirs
        }
    }
}
