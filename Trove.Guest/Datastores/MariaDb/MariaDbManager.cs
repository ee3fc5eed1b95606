using Trove.Contracts.Datastores;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using Trove.Contracts.Guests;

namespace Trove.Guest.Datastores.MariaDb;

/// <summary>
/// An isolated MariaDB 10.11 server in the server's directory, run as the guest's own OS user (see
/// <see cref="EngineUser"/>) with <c>--no-defaults</c> (so /etc/mysql is never read) and listening on its server's address only.
/// The guest administers it over the unix socket in that directory as the socket-only account named after its OS
/// user (unix_socket authentication: only that OS user gets in that way), through <see cref="MariaAdmin"/>; tenants
/// log in over TCP with passwords. Backups and restores use the engine's own tools (mariadb-backup, mbstream).
/// </summary>
public sealed partial class MariaDbManager : IDatastoreManager
{
    private const int MaxSocketPath = 107;
    private const MySqlErrorCode AccessDeniedNoPassword = (MySqlErrorCode)1698; // what unix_socket answers a stranger
    private static readonly TimeSpan StartStopTimeout = TimeSpan.FromSeconds(60);
    private static readonly string[] SystemDatabases = ["mysql", "information_schema", "performance_schema", "sys"];
    private readonly EngineUser _os = EngineUser.For("mysql");

    private readonly string _engineDir;
    private readonly string _dataDir;
    private readonly string _initDir;
    private readonly string _socket;
    private readonly string _pidFile;
    private readonly string _errorLog;
    private readonly string _overridesFile;
    private readonly string _tmpDir;
    private readonly string _address;
    private readonly int _port;
    private readonly ILogger<MariaDbManager> _log;

    public MariaDbManager(string directory, string address, int port, ILogger<MariaDbManager> log)
    {
        _engineDir = Path.Combine(Path.GetFullPath(directory), "mariadb");
        _dataDir = Path.Combine(_engineDir, "data");
        _initDir = Path.Combine(_engineDir, "data.init");
        _socket = Path.Combine(_engineDir, "mysqld.sock");
        _pidFile = Path.Combine(_engineDir, "mysqld.pid");
        _errorLog = Path.Combine(_engineDir, "error.log");
        _overridesFile = Path.Combine(_engineDir, "overrides.conf");
        _tmpDir = Path.Combine(_engineDir, "tmp");
        _address = address;
        _port = port;
        _log = log;
    }

    public string RootUserName => "root";

    private bool IsInitialised => Directory.Exists(Path.Combine(_dataDir, "mysql"));

    /// <summary>The guest's own account: unix_socket lets in the OS user of the same name (root when the guest is root).</summary>
    private string AdminAccount => _os.SwitchesFromRoot ? "root" : _os.Name;

    /// <summary>mariadbd's --user: only root can switch to it.</summary>
    private string[] SwitchUser => _os.SwitchesFromRoot ? [$"--user={_os.Name}"] : [];

    public async Task InitialiseAsync(CancellationToken ct)
    {
        if (!IsInitialised)
            await InitialiseDataAsync(ct);
    }

    public async Task PrepareAsync(PrepareArgs args, CancellationToken ct)
    {
        await InitialiseAsync(ct);
        await StartAsync(ct);
        await CreateDatabasesAsync(args.Databases, ct);
        await CreateUsersAsync(args.Users, ct);
        _log.LogInformation("prepared {Databases} database(s) and {Users} user(s)", args.Databases.Count, args.Users.Count);
    }

    /// <summary>The data directory appears only whole: mariadb-install-db makes it under another name, which becomes the
    /// data directory when the install ends. A guest killed meanwhile leaves a data directory without some of its system
    /// tables (or the install still writing it); the next guest makes it again (a building server holds no tenant data yet).
    /// A server that came with the node's pristine copy takes it instead, with this guest's account added at its first start.</summary>
    private async Task InitialiseDataAsync(CancellationToken ct)
    {
        await PrepareEngineDirectoryAsync(ct);
        if (Directory.Exists(PristineCopy))
        {
            await WriteAdminAccountFileAsync(fromPristineCopy: true, ct);
            Directory.Move(PristineCopy, _dataDir); // what the server came with: the same install, made ahead
            _log.LogInformation("mariadb data initialised from the server's pristine copy");
            return;
        }
        var clock = Stopwatch.StartNew();
        await ProcessRunner.RunCheckedAsync(MariaDbInstall.Tool,
            MariaDbInstall.Args(_initDir, _os.Name, _os.SwitchesFromRoot ? _os.Name : null, _tmpDir), ct);
        Directory.Move(_initDir, _dataDir);
        _log.LogInformation("mariadb data initialised in {Elapsed} ms", clock.ElapsedMilliseconds);
    }

    /// <summary>A consistent backup with mariadb-backup, streamed (xbstream) while the server runs. Each backup's
    /// checkpoints are kept beside the engine, so that the next one can be an increment from its LSN.</summary>
    public async Task BackupAsync(Stream output, string backupId, string? parentBackupId, CancellationToken ct)
    {
        var lsnDir = Path.Combine(_engineDir, "lsn", backupId);
        Directory.CreateDirectory(lsnDir);
        List<string> args = ["--no-defaults", "--backup", "--stream=xbstream", $"--datadir={_dataDir}", $"--socket={_socket}", $"--user={AdminAccount}",
            $"--target-dir={_tmpDir}", $"--tmpdir={_tmpDir}", $"--extra-lsndir={lsnDir}"];
        if (parentBackupId is not null)
            args.Add($"--incremental-lsn={await ToLsnAsync(parentBackupId, ct)}");
        await ProcessRunner.PipeAsync("mariadb-backup", args, null, output, ct);
    }

    private async Task<string> ToLsnAsync(string backupId, CancellationToken ct)
    {
        var checkpoints = Path.Combine(_engineDir, "lsn", backupId, "xtrabackup_checkpoints");
        if (!File.Exists(checkpoints))
            throw new InvalidOperationException($"Backup {backupId} was not taken on this server, so an increment cannot follow it.");
        return (await File.ReadAllLinesAsync(checkpoints, ct)).Select(l => l.Split('=', 2)).Where(p => p[0].Trim() == "to_lsn")
            .Select(p => p[1].Trim()).Single();
    }

    /// <summary>MariaDB's binary logs are not archived (yet): the API refuses a restore_time for it.</summary>
    public Task RecoverAsync(string walCopies, string? walUri, DateTimeOffset? targetTime, CancellationToken ct) =>
        throw new NotSupportedException(DatastoreProfiles.MariaDb.Lacks(DatastoreCapability.PointInTimeRecovery));

    public Task GrantLogArchiveAsync(string uri, CancellationToken ct) =>
        throw new NotSupportedException(DatastoreProfiles.MariaDb.Lacks(DatastoreCapability.PointInTimeRecovery));

    public async Task RestoreIncrementAsync(Stream input, CancellationToken ct)
    {
        var increment = Path.Combine(_tmpDir, "increment");
        if (Directory.Exists(increment))
            Directory.Delete(increment, recursive: true);
        Directory.CreateDirectory(increment);
        await ProcessRunner.PipeAsync("mbstream", ["-x", "-C", increment], input, null, ct);
        await ProcessRunner.RunCheckedAsync("mariadb-backup",
            ["--no-defaults", "--prepare", $"--target-dir={_dataDir}", $"--incremental-dir={increment}", $"--tmpdir={_tmpDir}"], ct);
        Directory.Delete(increment, recursive: true);
        await _os.OwnAsync(_engineDir, ct, recursive: true);
    }

    /// <summary>Unpacks a mariadb-backup stream into a fresh data directory and prepares it (applies its redo log).</summary>
    public async Task RestoreAsync(Stream input, CancellationToken ct)
    {
        await PrepareEngineDirectoryAsync(ct);
        Directory.CreateDirectory(_dataDir);
        await ProcessRunner.PipeAsync("mbstream", ["-x", "-C", _dataDir], input, null, ct);
        await ProcessRunner.RunCheckedAsync("mariadb-backup", ["--no-defaults", "--prepare", $"--target-dir={_dataDir}", $"--tmpdir={_tmpDir}"], ct);
        await _os.OwnAsync(_engineDir, ct, recursive: true);
        _log.LogInformation("mariadb data restored from a backup");
    }

    /// <summary>The engine's directory, owned by the OS user and reachable by it, with an empty data directory place:
    /// what an interrupted install or restore left (and its processes, which a killed guest leaves running) is removed.</summary>
    private async Task PrepareEngineDirectoryAsync(CancellationToken ct)
    {
        if (_socket.Length > MaxSocketPath)
            throw new InvalidOperationException($"the socket path {_socket} is longer than {MaxSocketPath} characters; use a shorter data dir");
        Directory.CreateDirectory(_engineDir);
        File.SetUnixFileMode(_engineDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await EngineProcesses.KillLeftoversAsync(_engineDir, _log, ct);
        foreach (var left in new[] { _dataDir, _initDir }.Where(Directory.Exists))
            Directory.Delete(left, recursive: true);
        Directory.CreateDirectory(_tmpDir);
        await File.AppendAllTextAsync(_errorLog, "", ct);
        await _os.OwnAsync(_engineDir, ct, recursive: true);
        await _os.RequireReachableAsync(_engineDir, ct);
    }

    public async Task StartAsync(CancellationToken ct)
    {
        if (!IsInitialised)
            return;
        if (!await PingAsync(ct))
        {
            await LaunchAndWaitAsync(ct);
            _log.LogInformation("mariadb started on {Address}:{Port}", _address, _port);
        }
        if (!await CanAdministerAsync(ct))
            await AddAdminAccountAsync(ct);
        File.Delete(AdminAccountFile); // its statements ran when the engine started
    }

    /// <summary>Waits for a running server to answer, or launches one, once whatever a killed guest left working on
    /// the data (a server it launched that never wrote its pid file) is gone: a second server on the same data waits
    /// for InnoDB's lock.</summary>
    private async Task LaunchAndWaitAsync(CancellationToken ct)
    {
        if (RunningPid() is not { } pid)
        {
            await EngineProcesses.KillLeftoversAsync(_dataDir, _log, ct);
            pid = await LaunchAsync(ct);
        }
        var deadline = DateTime.UtcNow + StartStopTimeout;
        while (!await PingAsync(ct))
        {
            if (!EngineProcesses.IsAlive(pid))
                throw new InvalidOperationException($"mariadbd exited while starting; the end of {_errorLog}: {EngineLog.Tail(_errorLog)}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"mariadbd did not answer within {StartStopTimeout.TotalSeconds} s; the end of {_errorLog}: {EngineLog.Tail(_errorLog)}");
            await Task.Delay(10, ct); // until its socket is there, a look at one file; a create waits on this engine start
        }
    }

    private async Task<bool> CanAdministerAsync(CancellationToken ct)
    {
        try
        {
            await using var admin = await OpenAdminAsync(ct);
            return true;
        }
        catch (MySqlException e) when (e.ErrorCode is MySqlErrorCode.AccessDenied or AccessDeniedNoPassword)
        {
            return false;
        }
    }

    /// <summary>Data this guest did not make (restored from another server's backup, or made by an older release whose
    /// guest ran as root) holds no socket account for this guest's OS user: the engine is started again with the
    /// statements that add it as its init file, which it runs before it takes a connection.</summary>
    private async Task AddAdminAccountAsync(CancellationToken ct)
    {
        _log.LogWarning("the engine's data has no socket account for {Account}; adding it", AdminAccount);
        await WriteAdminAccountFileAsync(fromPristineCopy: false, ct);
        await StopAsync(ct);
        await LaunchAndWaitAsync(ct);
        if (!await CanAdministerAsync(ct))
            throw new InvalidOperationException($"the socket account {AdminAccount} is still refused after the engine ran {AdminAccountFile}; see {_errorLog}");
        _log.LogInformation("mariadb started on {Address}:{Port} with the socket account {Account}", _address, _port, AdminAccount);
    }

    /// <summary>The statements that give this engine its socket-only administrator, read by mariadbd at each start while
    /// the file is there (<see cref="StartAsync"/> removes it once they ran): from the pristine copy, the template's account
    /// becomes the one this guest's own install would have made (a GRANT on root would change how root refuses a
    /// password); otherwise <see cref="AdminAccount"/> is added. Kept out of the binary log, so that a replica's own
    /// account never reaches its source's history.</summary>
    private async Task WriteAdminAccountFileAsync(bool fromPristineCopy, CancellationToken ct)
    {
        var admin = $"{MariaSql.Identifier(AdminAccount)}@'localhost'";
        string[] statements = fromPristineCopy
            ?
            [
                $"RENAME USER {MariaSql.Identifier(MariaDbInstall.PristineAccount)}@'localhost' TO {MariaSql.Identifier(_os.Name)}@'localhost';",
                $"DELETE FROM mysql.proxies_priv WHERE User = '{MariaDbInstall.PristineAccount}';", // its grant for the template's host
            ]
            : [$"CREATE USER IF NOT EXISTS {admin} IDENTIFIED VIA unix_socket;", $"GRANT ALL PRIVILEGES ON *.* TO {admin} WITH GRANT OPTION;"];
        await File.WriteAllLinesAsync(AdminAccountFile, ["SET sql_log_bin = 0;", .. statements], ct);
        File.SetUnixFileMode(AdminAccountFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await _os.OwnAsync(AdminAccountFile, ct);
    }

    private string AdminAccountFile => Path.Combine(_engineDir, "admin-account.sql");

    private string PristineCopy => Path.Combine(Path.GetDirectoryName(_engineDir)!, MariaDbInstall.PristineCopy);

    /// <summary>Starts mariadbd in its own session with its stdio on its log: it does not daemonize, and must outlive
    /// this call and a restarted guest. utf8mb4 as Debian's own configuration has it (the compiled default is latin1).
    /// Configuration overrides come before the options that keep it isolated, so that those always win.</summary>
    private async Task<int> LaunchAsync(CancellationToken ct)
    {
        if (!Directory.Exists(_tmpDir))
        {
            Directory.CreateDirectory(_tmpDir);
            await _os.OwnAsync(_tmpDir, ct);
        }
        string[] engine =
        [
            "mariadbd", "--no-defaults", "--innodb-buffer-pool-size=32M",
            "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
            .. await OptionsFromAsync(FlavorFile, ct), .. await OptionsFromAsync(_overridesFile, ct), .. await OptionsFromAsync(ReadOnlyFile, ct),
            .. await OptionsFromAsync(AccessFile, ct), .. await OptionsFromAsync(ReplicaFile, ct), .. await OptionsFromAsync(FenceFile, ct),
            .. BinaryLogOptions,
            .. SwitchUser, $"--datadir={_dataDir}", $"--socket={_socket}", $"--port={_port}", $"--bind-address={_address}",
            $"--pid-file={_pidFile}", $"--log-error={_errorLog}", $"--tmpdir={_tmpDir}", "--skip-name-resolve",
            .. File.Exists(AdminAccountFile) ? [$"--init-file={AdminAccountFile}"] : Array.Empty<string>(),
        ];
        var pid = await ProcessRunner.RunCheckedAsync("setsid",
            ["-f", "/bin/sh", "-c", "log=$1; shift; \"$@\" </dev/null >>\"$log\" 2>&1 & echo $!", "sh", _errorLog, .. engine], ct);
        return int.Parse(pid.Trim(), CultureInfo.InvariantCulture);
    }

    private string FlavorFile => Path.Combine(_engineDir, "flavor.conf");

    private string ReadOnlyFile => Path.Combine(_engineDir, "read-only.conf");

    private static async Task<IEnumerable<string>> OptionsFromAsync(string file, CancellationToken ct) =>
        File.Exists(file) ? (await File.ReadAllLinesAsync(file, ct)).Where(l => l.Length > 0).Select(l => "--" + l) : [];

    /// <summary>A quarter of the flavor's RAM for InnoDB's buffer pool (after the defaults, before a configuration
    /// group's values, which still win); a running server restarts to take it.</summary>
    public async Task ApplyMemoryAsync(int ramMb, CancellationToken ct)
    {
        if (ramMb <= 0 || !Directory.Exists(_engineDir))
            return;
        var content = $"innodb-buffer-pool-size={Math.Max(32, ramMb / 4)}M";
        if (File.Exists(FlavorFile) && (await File.ReadAllTextAsync(FlavorFile, ct)).Trim() == content)
            return;
        await File.WriteAllTextAsync(FlavorFile, content + "\n", ct);
        if (await PingAsync(ct))
            await RestartAsync(ct);
    }

    public async Task StopAsync(CancellationToken ct)
    {
        if (RunningPid() is not { } pid)
            return;
        // A clean shutdown over the socket; TERM does the same for a server that does not answer there.
        if (!await TryShutdownAsync(ct))
            await ProcessRunner.RunAsync("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)], ct);
        var deadline = DateTime.UtcNow + StartStopTimeout;
        while (EngineProcesses.IsAlive(pid))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"mariadbd {pid} did not stop within {StartStopTimeout.TotalSeconds} s; see {_errorLog}");
            await Task.Delay(50, ct);
        }
        _log.LogInformation("mariadb stopped");
    }

    private async Task<bool> TryShutdownAsync(CancellationToken ct)
    {
        try
        {
            await using var admin = await OpenAdminAsync(ct);
            await admin.ExecAsync("SHUTDOWN", ct);
            return true;
        }
        catch (MySqlException)
        {
            return false;
        }
    }

    public async Task RestartAsync(CancellationToken ct)
    {
        await StopAsync(ct);
        await StartAsync(ct);
    }

    public async Task<string> GetStatusAsync(CancellationToken ct)
    {
        if (RunningPid() is null)
            return ServiceStatusNames.Shutdown;
        try
        {
            await using var admin = await OpenAdminAsync(ct);
            return Convert.ToInt32(await admin.ScalarAsync("SELECT 1", ct), CultureInfo.InvariantCulture) == 1
                ? ServiceStatusNames.Healthy : ServiceStatusNames.Running;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return ServiceStatusNames.Running;
        }
    }

    /// <summary>Whether the server answers on its socket. A refused login is an answer, as for mariadb-admin ping: data
    /// restored from another server's backup holds that server's socket account, not this guest's.</summary>
    private async Task<bool> PingAsync(CancellationToken ct)
    {
        if (!File.Exists(_socket))
            return false;
        try
        {
            await using var admin = await OpenAdminAsync(ct);
            return true;
        }
        catch (MySqlException e)
        {
            return e.ErrorCode is MySqlErrorCode.AccessDenied or AccessDeniedNoPassword;
        }
    }

    /// <summary>The pid of this directory's mariadbd, from its pid file, or null when it is not running.</summary>
    private int? RunningPid()
    {
        try
        {
            return File.Exists(_pidFile) && int.TryParse(File.ReadAllText(_pidFile).Trim(), out var pid) && EngineProcesses.IsAlive(pid)
                   && File.ReadAllText($"/proc/{pid}/cmdline").Contains(_dataDir) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private Task<MariaAdmin> OpenAdminAsync(CancellationToken ct) => MariaAdmin.OpenAsync(_socket, AdminAccount, ct);

    public async Task CreateDatabasesAsync(IReadOnlyList<DatabaseSpec> databases, CancellationToken ct)
    {
        if (databases.Count == 0)
            return;
        await using var admin = await OpenAdminAsync(ct);
        foreach (var db in databases)
            await admin.ExecAsync($"CREATE DATABASE IF NOT EXISTS {MariaSql.Identifier(db.Name)}"
                                  + (db.CharacterSet is null ? "" : $" CHARACTER SET {MariaSql.Identifier(db.CharacterSet)}")
                                  + (db.Collate is null ? "" : $" COLLATE {MariaSql.Identifier(db.Collate)}"), ct);
    }

    public async Task<IReadOnlyList<DatabaseSpec>> ListDatabasesAsync(CancellationToken ct)
    {
        await using var admin = await OpenAdminAsync(ct);
        return (await admin.RowsAsync(
                "SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA " +
                $"WHERE SCHEMA_NAME NOT IN ({MariaAdmin.Placeholders(SystemDatabases.Length)}) ORDER BY SCHEMA_NAME", ct, SystemDatabases))
            .Select(r => new DatabaseSpec(r[0]!, r[1], r[2])).ToList();
    }

    public async Task DeleteDatabaseAsync(string name, CancellationToken ct)
    {
        await using var admin = await OpenAdminAsync(ct);
        await admin.ExecAsync($"DROP DATABASE IF EXISTS {MariaSql.Identifier(name)}", ct);
    }

    private static ReservedUsers Reserved => DatastoreProfiles.MariaDb.ReservedUsers;

    public async Task CreateUsersAsync(IReadOnlyList<UserSpec> users, CancellationToken ct)
    {
        foreach (var user in users)
            Reserved.Check(user.Name);
        if (users.Count == 0)
            return;
        await using var admin = await OpenAdminAsync(ct);
        foreach (var user in users)
        {
            var host = user.Host ?? "%";
            await admin.ExecAsync("CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?", ct, user.Name, host, user.Password);
            await admin.ExecAsync("ALTER USER ?@? IDENTIFIED BY ?", ct, user.Name, host, user.Password);
            foreach (var db in user.Databases)
                await GrantAsync(admin, user.Name, host, db.Name, ct);
        }
    }

    private static Task GrantAsync(MariaAdmin admin, string name, string host, string database, CancellationToken ct) =>
        admin.ExecAsync($"GRANT ALL PRIVILEGES ON {MariaSql.GrantTarget(database)} TO ?@?", ct, name, host);

    /// <summary>Accounts but the engine's own, root and the guest's; a user's databases are those it holds database-level
    /// grants on.</summary>
    public async Task<IReadOnlyList<UserInfo>> ListUsersAsync(CancellationToken ct)
    {
        await using var admin = await OpenAdminAsync(ct);
        var rows = await admin.RowsAsync(
            "SELECT u.User, u.Host, d.Db FROM mysql.user u LEFT JOIN mysql.db d ON d.User = u.User AND d.Host = u.Host " +
            "WHERE u.is_role = 'N' ORDER BY u.User, u.Host", ct);
        return rows.Where(r => !Reserved.Contains(r[0]!) && r[0] != _os.Name)
            .GroupBy(r => (User: r[0]!, Host: r[1]!))
            .Select(g => new UserInfo(g.Key.User, g.Key.Host,
                g.Where(r => r[2] is not null).Select(r => MariaSql.UnescapeGrant(r[2]!)).Order(StringComparer.Ordinal)
                    .Select(d => new UserDatabase(d)).ToList()))
            .ToList();
    }

    public async Task UpdateUserAsync(string name, string? host, UserChanges changes, CancellationToken ct)
    {
        Reserved.Check(name);
        Reserved.Check(changes.Name ?? name);
        await using var admin = await OpenAdminAsync(ct);
        await RequireUserAsync(admin, name, host, ct);
        if (changes.Password is not null)
            await admin.ExecAsync("ALTER USER ?@? IDENTIFIED BY ?", ct, name, host ?? "%", changes.Password);
        var (newName, newHost) = (changes.Name ?? name, changes.Host ?? host ?? "%");
        if (newName != name || newHost != (host ?? "%"))
            await admin.ExecAsync("RENAME USER ?@? TO ?@?", ct, name, host ?? "%", newName, newHost);
    }

    public async Task DeleteUserAsync(string name, string? host, CancellationToken ct)
    {
        Reserved.Check(name);
        await using var admin = await OpenAdminAsync(ct);
        await admin.ExecAsync("DROP USER IF EXISTS ?@?", ct, name, host ?? "%");
    }

    public async Task GrantAccessAsync(string name, string? host, IReadOnlyList<string> databases, CancellationToken ct)
    {
        Reserved.Check(name);
        await using var admin = await OpenAdminAsync(ct);
        await RequireUserAsync(admin, name, host, ct);
        foreach (var db in databases)
            await GrantAsync(admin, name, host ?? "%", db, ct);
    }

    /// <summary>Revoking access the user does not have is no error, as with PostgreSQL.</summary>
    public async Task RevokeAccessAsync(string name, string? host, string database, CancellationToken ct)
    {
        Reserved.Check(name);
        await using var admin = await OpenAdminAsync(ct);
        await RequireUserAsync(admin, name, host, ct);
        var granted = await admin.ScalarAsync("SELECT 1 FROM mysql.db WHERE User = ? AND Host = ? AND Db = ?", ct,
            name, host ?? "%", MariaSql.GrantPattern(database));
        if (granted is not null)
            await admin.ExecAsync($"REVOKE ALL PRIVILEGES ON {MariaSql.GrantTarget(database)} FROM ?@?", ct, name, host ?? "%");
    }

    /// <summary>Root over TCP is separate accounts, one per allowed network (root@% when every client is allowed; see
    /// <see cref="MariaAccess"/>): the guest's own 'root'@'localhost' (socket only) stays.</summary>
    public async Task<string> EnableRootAsync(string? password, CancellationToken ct)
    {
        password ??= Passwords.Generate();
        var hosts = MariaAccess.RootHosts(await AllowedNetworksAsync(ct));
        await using var admin = await OpenAdminAsync(ct);
        foreach (var host in hosts)
        {
            await admin.ExecAsync("CREATE USER IF NOT EXISTS 'root'@? IDENTIFIED BY ?", ct, host, password);
            await admin.ExecAsync("ALTER USER 'root'@? IDENTIFIED BY ?", ct, host, password);
            await admin.ExecAsync("GRANT ALL PRIVILEGES ON *.* TO 'root'@? WITH GRANT OPTION", ct, host);
        }
        foreach (var old in (await RootAccountsAsync(admin, ct)).Select(r => r.Host).Except(hosts))
            await admin.ExecAsync("DROP USER IF EXISTS 'root'@?", ct, old);
        return password;
    }

    public async Task DisableRootAsync(CancellationToken ct)
    {
        await using var admin = await OpenAdminAsync(ct);
        foreach (var (host, _, _) in await RootAccountsAsync(admin, ct))
            await admin.ExecAsync("DROP USER IF EXISTS 'root'@?", ct, host);
    }

    /// <summary>Root over TCP: every root account but the guest's own socket-only 'root'@'localhost'.</summary>
    private static async Task<List<(string Host, string Plugin, string Secret)>> RootAccountsAsync(MariaAdmin admin, CancellationToken ct) =>
        (await admin.RowsAsync("SELECT Host, plugin, authentication_string FROM mysql.user WHERE User = 'root' AND Host <> 'localhost'", ct))
        .Select(r => (r[0]!, r[1] ?? "", r[2] ?? "")).ToList();

    private string AccessFile => Path.Combine(_engineDir, "access.conf");

    private string AllowedNetworksFile => Path.Combine(_engineDir, "allowed-cidrs");

    private async Task<IReadOnlyList<Cidr>> AllowedNetworksAsync(CancellationToken ct) =>
        File.Exists(AllowedNetworksFile)
            ? new AccessArgs(await File.ReadAllLinesAsync(AllowedNetworksFile, ct)).Networks()
            : [];

    /// <summary>init_connect for the tenants' accounts (kept in access.conf, passed to mariadbd at each start, and set at
    /// once), and root's accounts moved to the networks' hosts with the password they have.</summary>
    public async Task UpdateAccessAsync(IReadOnlyList<Cidr> networks, CancellationToken ct)
    {
        var initConnect = MariaAccess.InitConnect(networks);
        await File.WriteAllLinesAsync(AllowedNetworksFile, networks.Select(n => n.ToString()), ct);
        await File.WriteAllTextAsync(AccessFile, initConnect.Length == 0 ? "" : $"init-connect={initConnect}\n", ct);
        await using var admin = await OpenAdminAsync(ct);
        await admin.ExecAsync("SET GLOBAL init_connect = ?", ct, initConnect);
        var roots = await RootAccountsAsync(admin, ct);
        if (roots.Count == 0)
            return;
        var (_, plugin, secret) = roots[0];
        if (!VariableName().IsMatch(plugin))
            throw new InvalidOperationException($"root's authentication plugin '{plugin}' is not a plugin name");
        var hosts = MariaAccess.RootHosts(networks);
        foreach (var host in hosts.Except(roots.Select(r => r.Host)))
        {
            await admin.ExecAsync($"CREATE USER 'root'@? IDENTIFIED VIA {plugin} USING ?", ct, host, secret);
            await admin.ExecAsync("GRANT ALL PRIVILEGES ON *.* TO 'root'@? WITH GRANT OPTION", ct, host);
        }
        foreach (var old in roots.Select(r => r.Host).Except(hosts))
            await admin.ExecAsync("DROP USER IF EXISTS 'root'@?", ct, old);
    }

    /// <summary>Keeps the values in overrides.conf, passed to mariadbd at each start, and sets each at once where
    /// MariaDB allows it; the others apply at the next restart.</summary>
    public async Task ApplyOverridesAsync(IReadOnlyDictionary<string, string> overrides, CancellationToken ct)
    {
        foreach (var (name, value) in overrides)
            if (!VariableName().IsMatch(name) || value.Contains('\n') || value.Contains('\0'))
                throw new ArgumentException($"'{name}' is not a MariaDB variable name, or its value spans lines");
        await File.WriteAllLinesAsync(_overridesFile, overrides.Select(o => $"{o.Key}={o.Value}"), ct);
        await using var admin = await OpenAdminAsync(ct);
        foreach (var (name, value) in overrides)
        {
            try
            {
                await admin.ExecAsync($"SET GLOBAL {MariaSql.Identifier(name)} = ?", ct, SettingValue(value));
            }
            catch (MySqlException e)
            {
                _log.LogInformation("{Name} applies at the next restart: {Reason}", name, e.Message);
            }
        }
    }

    /// <summary>Variables whose global value comes from an option file, the command line or a group's <c>SET GLOBAL</c>,
    /// as the server reports them now (names in lower case, as a group gives them).</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetConfigurationAsync(CancellationToken ct)
    {
        await using var admin = await OpenAdminAsync(ct);
        var rows = await admin.RowsAsync(
            "SELECT LOWER(VARIABLE_NAME), GLOBAL_VALUE FROM information_schema.SYSTEM_VARIABLES " +
            "WHERE GLOBAL_VALUE_ORIGIN IN ('CONFIG', 'COMMAND-LINE', 'SQL') AND GLOBAL_VALUE IS NOT NULL", ct);
        return new SortedDictionary<string, string>(rows.ToDictionary(r => r[0]!, r => r[1]!), StringComparer.Ordinal);
    }

    public string ErrorLogFile => _errorLog;

    private string GeneralLogFile => Path.Combine(_engineDir, "general.log");

    public IEnumerable<string> GeneralLogLines() => File.Exists(GeneralLogFile) ? File.ReadLines(GeneralLogFile) : [];

    public async Task<bool> GeneralLogEnabledAsync(CancellationToken ct)
    {
        await using var admin = await OpenAdminAsync(ct);
        return Convert.ToInt64(await admin.ScalarAsync("SELECT @@GLOBAL.general_log", ct), CultureInfo.InvariantCulture) == 1;
    }

    /// <summary>Into general.log next to the error log; a restart turns it off again (it is not in an option file).</summary>
    public async Task SetGeneralLogAsync(bool enabled, CancellationToken ct)
    {
        await using var admin = await OpenAdminAsync(ct);
        if (enabled)
            await admin.ExecAsync("SET GLOBAL general_log_file = ?", ct, GeneralLogFile);
        await admin.ExecAsync($"SET GLOBAL general_log = {(enabled ? "ON" : "OFF")}", ct);
    }

    /// <summary>A number goes as a number (a numeric variable refuses a string), anything else as a string.</summary>
    private static object SettingValue(string value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer) ? integer
        : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) ? real
        : value;

    /// <summary>Turns new writes off for every account without READ ONLY ADMIN (tenants, not root or the guest), and on
    /// again. Kept in read-only.conf, read at each start after the overrides, so a restart does not turn writes back on
    /// while the volume is full (read_only is not among the variables a configuration group may set).</summary>
    public async Task SetReadOnlyAsync(bool readOnly, CancellationToken ct)
    {
        if (readOnly)
            await File.WriteAllTextAsync(ReadOnlyFile, "read-only=ON\n", ct);
        else
            File.Delete(ReadOnlyFile);
        if (!await PingAsync(ct))
            return;
        await using var admin = await OpenAdminAsync(ct);
        await ApplyReadOnlyAsync(admin, ct); // a replica takes writes from its source only, whatever its volume
        _log.LogInformation("mariadb read-only {State}", readOnly ? "on" : "off");
    }

    private static async Task RequireUserAsync(MariaAdmin admin, string name, string? host, CancellationToken ct)
    {
        if (await admin.ScalarAsync("SELECT 1 FROM mysql.user WHERE User = ? AND Host = ?", ct, name, host ?? "%") is null)
            throw new KeyNotFoundException($"User {name}@{host ?? "%"} does not exist.");
    }

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex VariableName();
}
