using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Trove.Contracts.Guests;

namespace Trove.Guest.Datastores.MariaDb;

/// <summary>
/// An isolated MariaDB 10.11 server in the server's directory, run as the guest's own OS user (see
/// <see cref="EngineUser"/>) with <c>--no-defaults</c> (so /etc/mysql is never read) and listening on 127.0.0.1 only.
/// The guest administers it over the unix socket in that directory as the socket-only account named after its OS
/// user (unix_socket authentication: only that OS user gets in that way); tenants log in over TCP with passwords.
/// </summary>
public sealed partial class MariaDbManager : IDatastoreManager
{
    private const int MaxSocketPath = 107;
    private static readonly TimeSpan StartStopTimeout = TimeSpan.FromSeconds(60);
    private static readonly string[] SystemDatabases = ["mysql", "information_schema", "performance_schema", "sys"];
    private readonly EngineUser _os = EngineUser.For("mysql");

    private readonly string _engineDir;
    private readonly string _dataDir;
    private readonly string _socket;
    private readonly string _pidFile;
    private readonly string _errorLog;
    private readonly string _overridesFile;
    private readonly string _tmpDir;
    private readonly int _port;
    private readonly ILogger<MariaDbManager> _log;

    public MariaDbManager(string directory, int port, ILogger<MariaDbManager> log)
    {
        _engineDir = Path.Combine(Path.GetFullPath(directory), "mariadb");
        _dataDir = Path.Combine(_engineDir, "data");
        _socket = Path.Combine(_engineDir, "mysqld.sock");
        _pidFile = Path.Combine(_engineDir, "mysqld.pid");
        _errorLog = Path.Combine(_engineDir, "error.log");
        _overridesFile = Path.Combine(_engineDir, "overrides.conf");
        _tmpDir = Path.Combine(_engineDir, "tmp");
        _port = port;
        _log = log;
    }

    public string RootUserName => "root";

    private bool IsInitialised => Directory.Exists(Path.Combine(_dataDir, "mysql"));

    /// <summary>The guest's own account: unix_socket lets in the OS user of the same name (root when the guest is root).</summary>
    private string AdminAccount => _os.SwitchesFromRoot ? "root" : _os.Name;

    private string[] ClientArgs => ["--no-defaults", $"--socket={_socket}", $"--user={AdminAccount}", "--connect-timeout=5"];

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

    private async Task InitialiseDataAsync(CancellationToken ct)
    {
        await PrepareEngineDirectoryAsync(ct);
        // A tmpdir of its own: installs running side by side in the shared /tmp clash on their temporary tables.
        var clock = Stopwatch.StartNew();
        await ProcessRunner.RunCheckedAsync("mariadb-install-db",
            ["--no-defaults", $"--datadir={_dataDir}", .. SwitchUser, "--auth-root-authentication-method=socket",
             $"--auth-root-socket-user={_os.Name}",
             "--skip-test-db", "--skip-name-resolve", $"--tmpdir={_tmpDir}"], ct);
        _log.LogInformation("mariadb data directory initialised in {Elapsed} ms", clock.ElapsedMilliseconds);
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

    /// <summary>The engine's directory, owned by the OS user and reachable by it, with an empty data directory place.</summary>
    private async Task PrepareEngineDirectoryAsync(CancellationToken ct)
    {
        if (_socket.Length > MaxSocketPath)
            throw new InvalidOperationException($"the socket path {_socket} is longer than {MaxSocketPath} characters; use a shorter data dir");
        Directory.CreateDirectory(_engineDir);
        File.SetUnixFileMode(_engineDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (Directory.Exists(_dataDir))
            Directory.Delete(_dataDir, recursive: true); // what an interrupted install left
        Directory.CreateDirectory(_tmpDir);
        await File.AppendAllTextAsync(_errorLog, "", ct);
        await _os.OwnAsync(_engineDir, ct, recursive: true);
        await _os.RequireReachableAsync(_engineDir, ct);
    }

    public async Task StartAsync(CancellationToken ct)
    {
        if (!IsInitialised || await PingAsync(ct))
            return;
        var pid = RunningPid() ?? await LaunchAsync(ct);
        var deadline = DateTime.UtcNow + StartStopTimeout;
        while (!await PingAsync(ct))
        {
            if (!IsAlive(pid))
                throw new InvalidOperationException($"mariadbd exited while starting: {LastLines(_errorLog)}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"mariadbd did not answer within {StartStopTimeout.TotalSeconds} s; see {_errorLog}");
            await Task.Delay(50, ct);
        }
        _log.LogInformation("mariadb started on 127.0.0.1:{Port}", _port);
    }

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
            .. await OptionsFromAsync(FlavorFile, ct), .. await OptionsFromAsync(_overridesFile, ct),
            .. SwitchUser, $"--datadir={_dataDir}", $"--socket={_socket}", $"--port={_port}", "--bind-address=127.0.0.1",
            $"--pid-file={_pidFile}", $"--log-error={_errorLog}", $"--tmpdir={_tmpDir}", "--skip-name-resolve",
        ];
        var pid = await ProcessRunner.RunCheckedAsync("setsid",
            ["-f", "/bin/sh", "-c", "log=$1; shift; \"$@\" </dev/null >>\"$log\" 2>&1 & echo $!", "sh", _errorLog, .. engine], ct);
        return int.Parse(pid.Trim(), CultureInfo.InvariantCulture);
    }

    private string FlavorFile => Path.Combine(_engineDir, "flavor.conf");

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
        if ((await ProcessRunner.RunAsync("mariadb-admin", [.. ClientArgs, "shutdown"], ct)).ExitCode != 0)
            await ProcessRunner.RunAsync("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)], ct);
        var deadline = DateTime.UtcNow + StartStopTimeout;
        while (IsAlive(pid))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"mariadbd {pid} did not stop within {StartStopTimeout.TotalSeconds} s; see {_errorLog}");
            await Task.Delay(50, ct);
        }
        _log.LogInformation("mariadb stopped");
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
            return (await QueryAsync("SELECT 1", ct)).Trim() == "1" ? ServiceStatusNames.Healthy : ServiceStatusNames.Running;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return ServiceStatusNames.Running;
        }
    }

    private async Task<bool> PingAsync(CancellationToken ct) =>
        File.Exists(_socket) && (await ProcessRunner.RunAsync("mariadb-admin", [.. ClientArgs, "ping"], ct)).ExitCode == 0;

    /// <summary>The pid of this directory's mariadbd, from its pid file, or null when it is not running.</summary>
    private int? RunningPid()
    {
        try
        {
            return File.Exists(_pidFile) && int.TryParse(File.ReadAllText(_pidFile).Trim(), out var pid) && IsAlive(pid)
                   && File.ReadAllText($"/proc/{pid}/cmdline").Contains(_dataDir) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string LastLines(string file) =>
        File.Exists(file) ? string.Join(" | ", File.ReadLines(file).TakeLast(5)) : "(no log)";

    /// <summary>Runs SQL as root over the socket and returns its rows, tab-separated. The SQL goes through stdin and
    /// is never echoed on error, so that passwords show neither in the process list nor in an error message. The
    /// session's empty sql_mode keeps backslashes escaping in literals whatever a configuration group set.</summary>
    private async Task<string> QueryAsync(string sql, CancellationToken ct)
    {
        using var input = new MemoryStream(Encoding.UTF8.GetBytes("SET SESSION sql_mode = '';\n" + sql));
        using var output = new MemoryStream();
        await ProcessRunner.PipeAsync("mariadb",
            [.. ClientArgs, "--default-character-set=utf8mb4", "--batch", "--raw", "--skip-column-names", "--skip-print-query-on-error"],
            input, output, ct);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    private static IEnumerable<string[]> Rows(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t'));

    private static string InList(IEnumerable<string> values) => string.Join(", ", values.Select(MariaSql.Literal));

    public async Task CreateDatabasesAsync(IReadOnlyList<DatabaseSpec> databases, CancellationToken ct)
    {
        if (databases.Count == 0)
            return;
        await QueryAsync(string.Join(";\n", databases.Select(db =>
            $"CREATE DATABASE IF NOT EXISTS {MariaSql.Identifier(db.Name)}"
            + (db.CharacterSet is null ? "" : $" CHARACTER SET {MariaSql.Literal(db.CharacterSet)}")
            + (db.Collate is null ? "" : $" COLLATE {MariaSql.Literal(db.Collate)}"))), ct);
    }

    public async Task<IReadOnlyList<DatabaseSpec>> ListDatabasesAsync(CancellationToken ct) =>
        Rows(await QueryAsync(
                "SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA " +
                $"WHERE SCHEMA_NAME NOT IN ({InList(SystemDatabases)}) ORDER BY SCHEMA_NAME", ct))
            .Select(r => new DatabaseSpec(r[0], r[1], r[2])).ToList();

    public async Task DeleteDatabaseAsync(string name, CancellationToken ct) =>
        await QueryAsync($"DROP DATABASE IF EXISTS {MariaSql.Identifier(name)}", ct);

    private static ReservedUsers Reserved => ReservedUsers.MariaDb;

    public async Task CreateUsersAsync(IReadOnlyList<UserSpec> users, CancellationToken ct)
    {
        foreach (var user in users)
            Reserved.Check(user.Name);
        foreach (var user in users)
        {
            var account = MariaSql.Account(user.Name, user.Host);
            var password = MariaSql.Literal(user.Password);
            await QueryAsync(string.Join(";\n",
                [$"CREATE USER IF NOT EXISTS {account} IDENTIFIED BY {password}", $"ALTER USER {account} IDENTIFIED BY {password}",
                 .. user.Databases.Select(db => $"GRANT ALL PRIVILEGES ON {MariaSql.GrantTarget(db.Name)} TO {account}")]), ct);
        }
    }

    /// <summary>Accounts but the engine's own and root; a user's databases are those it holds database-level grants on.</summary>
    public async Task<IReadOnlyList<UserInfo>> ListUsersAsync(CancellationToken ct) =>
        Rows(await QueryAsync(
                "SELECT u.User, u.Host, COALESCE(GROUP_CONCAT(d.Db SEPARATOR ','), '') FROM mysql.user u " +
                "LEFT JOIN mysql.db d ON d.User = u.User AND d.Host = u.Host " +
                $"WHERE u.User NOT IN ({InList([.. Reserved.Names, _os.Name])}) AND u.is_role = 'N' " +
                "GROUP BY u.User, u.Host ORDER BY u.User, u.Host", ct))
            .Select(r => new UserInfo(r[0], r[1],
                r[2].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(MariaSql.UnescapeGrant).Order(StringComparer.Ordinal)
                    .Select(d => new UserDatabase(d)).ToList()))
            .ToList();

    public async Task UpdateUserAsync(string name, string? host, UserChanges changes, CancellationToken ct)
    {
        Reserved.Check(name);
        Reserved.Check(changes.Name ?? name);
        await RequireUserAsync(name, host, ct);
        var account = MariaSql.Account(name, host);
        if (changes.Password is not null)
            await QueryAsync($"ALTER USER {account} IDENTIFIED BY {MariaSql.Literal(changes.Password)}", ct);
        var (newName, newHost) = (changes.Name ?? name, changes.Host ?? host ?? "%");
        if (newName != name || newHost != (host ?? "%"))
            await QueryAsync($"RENAME USER {account} TO {MariaSql.Account(newName, newHost)}", ct);
    }

    public async Task DeleteUserAsync(string name, string? host, CancellationToken ct)
    {
        Reserved.Check(name);
        await QueryAsync($"DROP USER IF EXISTS {MariaSql.Account(name, host)}", ct);
    }

    public async Task GrantAccessAsync(string name, string? host, IReadOnlyList<string> databases, CancellationToken ct)
    {
        Reserved.Check(name);
        await RequireUserAsync(name, host, ct);
        if (databases.Count > 0)
            await QueryAsync(string.Join(";\n",
                databases.Select(db => $"GRANT ALL PRIVILEGES ON {MariaSql.GrantTarget(db)} TO {MariaSql.Account(name, host)}")), ct);
    }

    /// <summary>Revoking access the user does not have is no error, as with PostgreSQL.</summary>
    public async Task RevokeAccessAsync(string name, string? host, string database, CancellationToken ct)
    {
        Reserved.Check(name);
        await RequireUserAsync(name, host, ct);
        var granted = await QueryAsync(
            $"SELECT 1 FROM mysql.db WHERE User = {MariaSql.Literal(name)} AND Host = {MariaSql.Literal(host ?? "%")} " +
            $"AND Db = {MariaSql.Literal(MariaSql.GrantPattern(database))}", ct);
        if (granted.Trim().Length > 0)
            await QueryAsync($"REVOKE ALL PRIVILEGES ON {MariaSql.GrantTarget(database)} FROM {MariaSql.Account(name, host)}", ct);
    }

    /// <summary>Root over TCP is a separate account, 'root'@'%': the guest's own 'root'@'localhost' (socket only) stays.</summary>
    public async Task<string> EnableRootAsync(string? password, CancellationToken ct)
    {
        password ??= Passwords.Generate();
        var root = MariaSql.Account("root", "%");
        var literal = MariaSql.Literal(password);
        await QueryAsync($"CREATE USER IF NOT EXISTS {root} IDENTIFIED BY {literal};\nALTER USER {root} IDENTIFIED BY {literal};\n" +
                         $"GRANT ALL PRIVILEGES ON *.* TO {root} WITH GRANT OPTION", ct);
        return password;
    }

    public async Task DisableRootAsync(CancellationToken ct) =>
        await QueryAsync($"DROP USER IF EXISTS {MariaSql.Account("root", "%")}", ct);

    /// <summary>Keeps the values in overrides.conf, passed to mariadbd at each start, and sets each at once where
    /// MariaDB allows it; the others apply at the next restart.</summary>
    public async Task ApplyOverridesAsync(IReadOnlyDictionary<string, string> overrides, CancellationToken ct)
    {
        foreach (var (name, value) in overrides)
            if (!VariableName().IsMatch(name) || value.Contains('\n') || value.Contains('\0'))
                throw new ArgumentException($"'{name}' is not a MariaDB variable name, or its value spans lines");
        await File.WriteAllLinesAsync(_overridesFile, overrides.Select(o => $"{o.Key}={o.Value}"), ct);
        foreach (var (name, value) in overrides)
        {
            var literal = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || value is "on" or "off"
                ? value
                : MariaSql.Literal(value);
            try
            {
                await QueryAsync($"SET GLOBAL {name} = {literal}", ct);
            }
            catch (InvalidOperationException e)
            {
                _log.LogInformation("{Name} applies at the next restart: {Reason}", name, e.Message);
            }
        }
    }

    private async Task RequireUserAsync(string name, string? host, CancellationToken ct)
    {
        var found = await QueryAsync(
            $"SELECT 1 FROM mysql.user WHERE User = {MariaSql.Literal(name)} AND Host = {MariaSql.Literal(host ?? "%")}", ct);
        if (found.Trim().Length == 0)
            throw new KeyNotFoundException($"User {name}@{host ?? "%"} does not exist.");
    }

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex VariableName();
}
