using System.Security.Cryptography;
using System.Text;
using Trove.Actors.Files;
using Trove.Contracts.Admin;

namespace Trove.Actors.Admin;

/// <summary>The node's side of the <see cref="AdminToken"/>: the configured one, or the one it keeps in its data dir.</summary>
public static class NodeAdminToken
{
    /// <summary>The configured token, else the one in the token file, made there (0600) on the first start.</summary>
    public static string LoadOrCreate(AdminSettings settings, string dataDir)
    {
        if (settings.Token is { Length: > 0 } configured)
            return configured;
        var path = settings.TokenFile ?? Path.Combine(dataDir, AdminToken.FileName);
        KeyFile.ReadOrCreate(path, () => Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n"));
        return AdminToken.Read(path) ?? throw new InvalidOperationException($"the admin token file {path} is empty");
    }
}
