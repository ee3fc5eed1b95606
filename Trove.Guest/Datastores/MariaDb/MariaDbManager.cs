using Microsoft.Extensions.Logging;
using Trove.Actors.Guests;

namespace Trove.Guest.Datastores.MariaDb;

/// <summary>
/// An isolated MariaDB server in the server's directory, run as the <c>mysql</c> OS user, listening on 127.0.0.1
/// only, with its own my.cnf (never /etc/mysql). The guest administers it as root over the unix socket (socket
/// authentication: only the OS root can); tenants log in over TCP with passwords.
/// </summary>
public sealed class MariaDbManager : IDatastoreManager
{
    private const string OsUser = "mysql";
    private static readonly string[] SystemDatabases = ["mysql", "information_schema", "performance_schema", "sys"];
    private static readonly string[] SystemUsers = ["root", "mariadb.sys", "mysql", "PUBLIC", ""];

    private readonly string _engineDir;
    private readonly string _dataDir;
    private readonly string _socket;
    private readonly string _config;
    private readonly int _port;
    private readonly ILogger<MariaDbManager> _log;

    public MariaDbManager(string directory, int port, ILogger<MariaDbManager> log)
    {
        _engineDir = Path.Combine(Path.GetFullPath(directory), "mariadb");
        _dataDir = Path.Combine(_engineDir, "data");
        _socket = Path.Combine(_engineDir, "mysqld.sock");
        _config = Path.Combine(_engineDir, "my.cnf");
        _port = port;
        _log = log;
    }

    public string RootUserName => "root";
    private string OverridesFile => Path.Combine(_engineDir, "overrides.cnf");
    private bool IsInitialised => Directory.Exists(Path.Combine(_dataDir, "mysql"));

    public async Task PrepareAsync(PrepareArgs args, CancellationToken ct)
    {
        if (!IsInitialised)
            await InitialiseAsync(ct);
        await StartAsync(ct);
        await CreateDatabasesAsync(args.Databases, ct);
        await CreateUsersAsync(args.Users, ct);
        _log.LogInformation("prepared {Databases} database(s) and {Users} user(s)", args.Databases.Count, args.Users.Count);
    }

    private async Task InitialiseAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(_engineDir);
        File.SetUnixFileMode(_engineDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await File.WriteAllTextAsync(_config, $"""
            [mysqld]
            datadir = {_dataDir}
            socket = {_socket}
            pid-file = {Path.Combine(_engineDir, "mysqld.pid")}
            log-error = {Path.Combine(_engineDir, "error.log")}
            port = {_port}
            bind-address = 127.0.0.1
            skip-name-resolve
            innodb-buffer-pool-size = 32M
            !include {OverridesFile}
            """, ct);
        if (!File.Exists(OverridesFile))
            await File.WriteAllTextAsync(OverridesFile, "[mysqld]\n", ct);
        await ProcessRunner.RunCheckedAsync("chown", ["-R", OsUser, _engineDir], ct);
        if ((await ProcessRunner.RunAsync("runuser", ["-u", OsUser, "--", "test", "-x", _engineDir], ct)).ExitCode != 0)
            throw new InvalidOperationException($"the {OsUser} OS user cannot reach {_engineDir}: every directory above it must be searchable by it");
        await ProcessRunner.RunCheckedAsync("mariadb-install-db",
            ["--no-defaults", $"--datadir={_dataDir}", $"--user={OsUser}", "--skip-test-db", "--skip-name-resolve",
             "--auth-root-authentication-method=socket"], ct);
    }

    public async Task StartAsync(CancellationToken ct)
    {
        if (!IsInitialised || await PingAsync(ct))
            return;
        // mariadbd does not daemonize: its own session, so that it outlives this call (and a restarted guest).
        await ProcessRunner.RunCheckedAsync("/bin/sh",
            ["-c", "exec setsid -f \"$@\" >/dev/null 2>&1 </dev/null", "sh", "mariadbd", $"--defaults-file={_config}", $"--user={OsUser}"], ct);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await PingAsync(ct))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"mariadbd did not start; see {Path.Combine(_engineDir, "error.log")}");
            await Task.Delay(50, ct);
        }
        _log.LogInformation("mariadb started on 127.0.0.1:{Port}", _port);
    }

    public async Task StopAsync(CancellationToken ct)
    {
        if (!await PingAsync(ct))
            return;
        await ProcessRunner.RunCheckedAsync("mariadb-admin", ["--no-defaults", $"--socket={_socket}", "-uroot", "shutdown"], ct);
        while (await PingAsync(ct))
            await Task.Delay(50, ct);
        _log.LogInformation("mariadb stopped");
    }

    public async Task RestartAsync(CancellationToken ct)
    {
        await StopAsync(ct);
        await StartAsync(ct);
    }

    public async Task<string> GetStatusAsync(CancellationToken ct)
    {
        try
        {
            if (!await PingAsync(ct))
                return ServiceStatusNames.Shutdown;
            return (await QueryAsync("SELECT 1", ct)).Trim() == "1" ? ServiceStatusNames.Healthy : ServiceStatusNames.Running;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            return ServiceStatusNames.Running;
        }
    }

    private async Task<bool> PingAsync(CancellationToken ct) =>
        File.Exists(_socket)
        && (await ProcessRunner.RunAsync("mariadb-admin", ["--no-defaults", $"--socket={_socket}", "-uroot", "--connect-timeout=2", "ping"], ct)).ExitCode == 0;

    private Task<string> QueryAsync(string sql, CancellationToken ct) =>
        ProcessRunner.RunCheckedAsync("mariadb", ["--no-defaults", $"--socket={_socket}", "-uroot", "-N", "-B", "-e", sql], ct);

    private static IEnumerable<string[]> Rows(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t'));

    public async Task CreateDatabasesAsync(IReadOnlyList<DatabaseSpec> databases, CancellationToken ct)
    {
        foreach (var db in databases)
        {
            var sql = $"CREATE DATABASE IF NOT EXISTS {MariaSql.Identifier(db.Name)}";
            if (db.CharacterSet is not null)
                sql += $" CHARACTER SET {MariaSql.Literal(db.CharacterSet)}";
            if (db.Collate is not null)
                sql += $" COLLATE {MariaSql.Literal(db.Collate)}";
            await QueryAsync(sql, ct);
        }
    }

    public async Task<IReadOnlyList<DatabaseSpec>> ListDatabasesAsync(CancellationToken ct) =>
        Rows(await QueryAsync("SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA " +
                              $"WHERE SCHEMA_NAME NOT IN ({string.Join(", ", SystemDatabases.Select(MariaSql.Literal))}) ORDER BY SCHEMA_NAME", ct))
            .Select(r => new DatabaseSpec(r[0], r[1], r[2])).ToList();

    public Task DeleteDatabaseAsync(string name, CancellationToken ct) => QueryAsync($"DROP DATABASE IF EXISTS {MariaSql.Identifier(name)}", ct);

    public async Task CreateUsersAsync(IReadOnlyList<UserSpec> users, CancellationToken ct)
    {
        foreach (var user in users)
        {
            var account = MariaSql.Account(user.Name, user.Host);
            await QueryAsync($"CREATE USER IF NOT EXISTS {account} IDENTIFIED BY {MariaSql.Literal(user.Password)}; " +
                             $"ALTER USER {account} IDENTIFIED BY {MariaSql.Literal(user.Password)}", ct);
            await GrantAccessAsync(user.Name, user.Host, user.Databases.Select(d => d.Name).ToList(), ct);
        }
    }

    public async Task<IReadOnlyList<UserInfo>> ListUsersAsync(CancellationToken ct) =>
        Rows(await QueryAsync("SELECT u.User, u.Host, COALESCE(GROUP_CONCAT(d.Db ORDER BY d.Db SEPARATOR ','), '') FROM mysql.user u " +
                              "LEFT JOIN mysql.db d ON d.User = u.User AND d.Host = u.Host " +
                              $"WHERE u.User NOT IN ({string.Join(", ", SystemUsers.Select(MariaSql.Literal))}) AND u.is_role = 'N' " +
                              "GROUP BY u.User, u.Host ORDER BY u.User, u.Host", ct))
            .Select(r => new UserInfo(r[0], r[1], r[2].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(d => new UserDatabase(d)).ToList()))
            .ToList();

    public async Task UpdateUserAsync(string name, string? host, UserChanges changes, CancellationToken ct)
    {
        await RequireUserAsync(name, host, ct);
        var account = MariaSql.Account(name, host);
        if (changes.Password is not null)
            await QueryAsync($"ALTER USER {account} IDENTIFIED BY {MariaSql.Literal(changes.Password)}", ct);
        if (changes.Name is not null || changes.Host is not null)
            await QueryAsync($"RENAME USER {account} TO {MariaSql.Account(changes.Name ?? name, changes.Host ?? host)}", ct);
    }

    public async Task DeleteUserAsync(string name, string? host, CancellationToken ct) =>
        await QueryAsync($"DROP USER IF EXISTS {MariaSql.Account(name, host)}", ct);

    public async Task GrantAccessAsync(string name, string? host, IReadOnlyList<string> databases, CancellationToken ct)
    {
        await RequireUserAsync(name, host, ct);
        foreach (var db in databases)
            await QueryAsync($"GRANT ALL PRIVILEGES ON {MariaSql.Identifier(db)}.* TO {MariaSql.Account(name, host)}", ct);
    }

    public async Task RevokeAccessAsync(string name, string? host, string database, CancellationToken ct)
    {
        await RequireUserAsync(name, host, ct);
        await QueryAsync($"REVOKE ALL PRIVILEGES ON {MariaSql.Identifier(database)}.* FROM {MariaSql.Account(name, host)}", ct);
    }

    public async Task<string> EnableRootAsync(string? password, CancellationToken ct)
    {
        password ??= Passwords.Generate();
        var root = MariaSql.Account("root", "%");
        await QueryAsync($"CREATE USER IF NOT EXISTS {root} IDENTIFIED BY {MariaSql.Literal(password)}; " +
                         $"ALTER USER {root} IDENTIFIED BY {MariaSql.Literal(password)}; GRANT ALL PRIVILEGES ON *.* TO {root} WITH GRANT OPTION", ct);
        return password;
    }

    public Task DisableRootAsync(CancellationToken ct) => QueryAsync($"DROP USER IF EXISTS {MariaSql.Account("root", "%")}", ct);

    /// <summary>Writes overrides.cnf (included by my.cnf) for the next start, and sets each value at once where MariaDB allows it.</summary>
    public async Task ApplyOverridesAsync(IReadOnlyDictionary<string, string> overrides, CancellationToken ct)
    {
        await File.WriteAllLinesAsync(OverridesFile, overrides.Select(o => $"{o.Key} = {o.Value}").Prepend("[mysqld]"), ct);
        foreach (var (name, value) in overrides)
        {
            var literal = double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _) || value is "on" or "off"
                ? value
                : MariaSql.Literal(value);
            var result = await ProcessRunner.RunAsync("mariadb",
                ["--no-defaults", $"--socket={_socket}", "-uroot", "-e", $"SET GLOBAL {MariaSql.Identifier(name)} = {literal}"], ct);
            if (result.ExitCode != 0)
                _log.LogInformation("{Name} applies at the next restart: {Reason}", name, result.Error.Trim());
        }
    }

    private async Task RequireUserAsync(string name, string? host, CancellationToken ct)
    {
        var found = await QueryAsync($"SELECT COUNT(*) FROM mysql.user WHERE User = {MariaSql.Literal(name)} AND Host = {MariaSql.Literal(host ?? "%")}", ct);
        if (found.Trim() == "0")
            throw new KeyNotFoundException($"User {name}@{host ?? "%"} does not exist.");
    }
}
