namespace Trove.Contracts.Datastores;

/// <summary>How a MariaDB server's data is installed, by its guest or, once per version, by the compute driver that
/// gives new servers a copy of that pristine data (the same install, so the two are alike). An install names the OS
/// user whose socket account administers it: the template's is <see cref="PristineAccount"/>, which the guest that takes
/// a copy replaces with its own at the engine's first start.</summary>
public static class MariaDbInstall
{
    public const string Tool = "/usr/bin/mariadb-install-db";

    public const string PristineAccount = "trove_pristine";

    /// <summary>Where in a server's directory the copy waits for its guest, which takes it in place of its own install.</summary>
    public const string PristineCopy = "mariadb/pristine";

    /// <summary>What the install preallocates and barely writes: the redo log (96 MiB, a few KiB of records).</summary>
    public static readonly IReadOnlyList<string> PreallocatedFiles = ["ib_logfile0"];

    /// <param name="runAs">mariadbd's OS user, when the install runs as root.</param>
    /// <param name="tmpDir">a directory of its own: installs running side by side in a shared /tmp clash on their
    /// temporary tables.</param>
    public static IReadOnlyList<string> Args(string dataDir, string socketAccount, string? runAs, string tmpDir) =>
    [
        "--no-defaults", $"--datadir={dataDir}", .. runAs is null ? Array.Empty<string>() : [$"--user={runAs}"],
        "--auth-root-authentication-method=socket", $"--auth-root-socket-user={socketAccount}",
        "--skip-test-db", "--skip-name-resolve", $"--tmpdir={tmpDir}",
    ];
}
