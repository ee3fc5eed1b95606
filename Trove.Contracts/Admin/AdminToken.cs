namespace Trove.Contracts.Admin;

/// <summary>
/// The secret every caller of the admin endpoint presents, loopback included: any local user can connect to a
/// loopback port. Unless one is configured, the node keeps it in <see cref="FileName"/> in its data dir, readable only
/// by its OS user, where <c>trove-admin</c> finds it.
/// </summary>
public static class AdminToken
{
    public const string FileName = "admin.token";

    /// <summary>Where <c>trove-admin</c> takes the token from when no <c>--token-file</c> is given.</summary>
    public const string EnvironmentVariable = "TROVE_ADMIN_TOKEN";

    /// <summary>The token a file holds (trimmed), or null when it holds none.</summary>
    public static string? Read(string path) => File.ReadAllText(path).Trim() is { Length: > 0 } token ? token : null;
}
