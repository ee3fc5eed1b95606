using System.Security.Cryptography;

namespace Trove.Actors.Hosting;

/// <summary>A random key made once in the data dir, readable by the node's user only.</summary>
public static class KeyFile
{
    public static byte[] ReadOrCreate(string path)
    {
        if (!File.Exists(path))
            Create(path);
        return File.ReadAllBytes(path);
    }

    /// <summary>Written aside and moved into place, so that a node starting at the same time reads a whole key.</summary>
    private static void Create(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new FileStream(tmp, options))
            file.Write(RandomNumberGenerator.GetBytes(32));
        try
        {
            File.Move(tmp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(tmp); // another node made the key first; use theirs
        }
    }
}
