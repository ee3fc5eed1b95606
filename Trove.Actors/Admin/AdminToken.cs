using System.Security.Cryptography;
using System.Text;

namespace Trove.Actors.Admin;

/// <summary>
/// The secret every caller of the admin endpoint presents, loopback included: any local user can connect to a
/// loopback port. Unless one is configured, the node keeps it in a file of its data dir that only its OS user can
/// read, where <c>trove-admin</c> finds it.
/// </summary>
public static class AdminToken
{
    public const string FileName = "admin.token";

    /// <summary>Where <c>trove-admin</c> takes the token from when no <c>--token-file</c> is given.</summary>
    public const string EnvironmentVariable = "TROVE_ADMIN_TOKEN";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The configured token, else the one in the token file, made there (0600) on the first start.</summary>
    public static string LoadOrCreate(AdminSettings settings, string dataDir)
    {
        if (settings.Token is { Length: > 0 } configured)
            return configured;
        var path = settings.TokenFile ?? Path.Combine(dataDir, FileName);
        if (!File.Exists(path))
            Create(path);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, OwnerOnly);
        return Read(path) ?? throw new InvalidOperationException($"the admin token file {path} is empty");
    }

    /// <summary>The token a file holds (trimmed), or null when it holds none.</summary>
    public static string? Read(string path) => File.ReadAllText(path).Trim() is { Length: > 0 } token ? token : null;

    /// <summary>Written aside and moved into place, so that a node starting at the same time reads a whole token.</summary>
    private static void Create(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tmp = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = OwnerOnly;
        using (var file = new FileStream(tmp, options))
            file.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n"));
        try
        {
            File.Move(tmp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(tmp); // another node of this machine made it first; use theirs
        }
    }
}
