using System.Security.Cryptography;
using System.Text;
using Trove.Actors.Files;

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

    /// <summary>The configured token, else the one in the token file, made there (0600) on the first start.</summary>
    public static string LoadOrCreate(AdminSettings settings, string dataDir)
    {
        if (settings.Token is { Length: > 0 } configured)
            return configured;
        var path = settings.TokenFile ?? Path.Combine(dataDir, FileName);
        KeyFile.ReadOrCreate(path, () => Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n"));
        return Read(path) ?? throw new InvalidOperationException($"the admin token file {path} is empty");
    }

    /// <summary>The token a file holds (trimmed), or null when it holds none.</summary>
    public static string? Read(string path) => File.ReadAllText(path).Trim() is { Length: > 0 } token ? token : null;
}
