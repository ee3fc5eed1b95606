using Microsoft.Extensions.Logging;
using Npgsql;
using Trove.Contracts.Datastores;
using Trove.Contracts.Guests;

namespace Trove.Guest.Datastores.Postgres;

/// <summary>
/// An isolated PostgreSQL 15 cluster in the server's directory, run as the guest's own OS user (see
/// <see cref="EngineUser"/>), listening on its server's address only. The guest administers it as the <c>postgres</c> superuser
/// over the unix socket in that directory (trust, reachable only by that OS user and root); tenants log in over TCP
/// with passwords (scram-sha-256).
/// </summary>
public sealed partial class PostgresManager : IDatastoreManager
{
    private const string Bin = "/usr/lib/postgresql/" + Version + "/bin";
    private readonly EngineUser _os = EngineUser.For("postgres");
    private const int MaxSocketPath = 107;

    private readonly string _engineDir;
    private readonly string _dataDir;
    private readonly string _initDir;
    private readonly string _address;
    private readonly int _port;
    private readonly ILogger<PostgresManager> _log;
    private readonly string? _walArchive;
    private readonly ObjectLogArchive _objectArchive;
    private readonly bool _archivesToObjects;

    public PostgresManager(string directory, string address, int port, ILogger<PostgresManager> log, string? walArchive = null,
        bool walArchiveGranted = false)
    {
        _walArchive = walArchive;
        _objectArchive = new ObjectLogArchive(directory, _os);
        _archivesToObjects = walArchiveGranted;
        _engineDir = Path.Combine(Path.GetFullPath(directory), "postgres");
        _dataDir = Path.Combine(_engineDir, "data");
        _initDir = Path.Combine(_engineDir, "data.init");
        _address = address;
        _port = port;
        _log = log;
    }

    private string AdminConnection(string database) =>
        $"Host={_engineDir};Port={_port};Username=postgres;Database={database};Pooling=false;Timeout=5";

    public async Task InitialiseAsync(CancellationToken ct)
    {
        if (!IsInitialised)
            await InitialiseDataAsync(ct);
    }

    private bool IsInitialised => File.Exists(Path.Combine(_dataDir, "PG_VERSION"));

    private const string Version = "15";

    private string PristineCopy => Path.Combine(Path.GetDirectoryName(_engineDir)!, PostgresInitdb.PristineCopy);

    private string ServerLog => Path.Combine(_engineDir, "server.log");

    public async Task PrepareAsync(PrepareArgs args, CancellationToken ct)
    {
        await InitialiseAsync(ct);
        await StartAsync(ct);
        await CreateAsync(args, ct);
    }

    /// <summary>A data directory from a pg_basebackup tar (with its WAL), given this server's port and addresses.</summary>
    public async Task RestoreAsync(Stream input, CancellationToken ct)
    {
        await PrepareEngineDirectoryAsync(ct);
        if (Directory.Exists(_dataDir))
            Directory.Delete(_dataDir, recursive: true); // what an interrupted restore left
        Directory.CreateDirectory(_dataDir);
        await _os.OwnAsync(_dataDir, ct);
        File.SetUnixFileMode(_dataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await _os.PipeAsync("tar", ["-x", "-C", _dataDir], input, null, ct);
        await AppendLocalSettingsAsync(_dataDir, ct);
        _log.LogInformation("postgresql data restored from a backup");
    }

    public async Task BackupAsync(Stream output, string backupId, string? parentBackupId, CancellationToken ct) =>
        await _os.PipeAsync(Path.Combine(Bin, "pg_basebackup"),
            ["-h", _engineDir, "-p", _port.ToString(), "-U", "postgres",
             "-D", "-", "-F", "tar", "-X", "fetch", "--checkpoint=fast"], null, output, ct);

    /// <summary>pg_basebackup takes full backups only: the profile has no incremental backups, so the API refuses them
    /// and the guest's backup runner never restores an increment here.</summary>
    public Task RestoreIncrementAsync(Stream input, CancellationToken ct) =>
        throw new NotSupportedException(DatastoreProfiles.Postgres.Lacks(DatastoreCapability.IncrementalBackups));

    /// <summary>Creates the requested databases and users on the running engine; existing ones are kept.</summary>
    private async Task CreateAsync(PrepareArgs args, CancellationToken ct)
    {
        await StartAsync(ct);

        await using var admin = await OpenAdminAsync("postgres", ct);
        foreach (var db in args.Databases)
            await CreateDatabaseAsync(admin, db, ct);
        foreach (var user in args.Users)
            await CreateUserAsync(admin, user, ct);
        if (await DatabaseExistsAsync(admin, PostgresInitdb.SpareDatabase, ct)) // a pool's, unused (a replica's engine is read-only)
            await ExecAsync(admin, $"DROP DATABASE {Sql.Identifier(PostgresInitdb.SpareDatabase)}", ct);
        _log.LogInformation("prepared {Databases} database(s) and {Users} user(s)", args.Databases.Count, args.Users.Count);
    }

    public async Task PrepareAheadAsync(CancellationToken ct)
    {
        await using var admin = await OpenAdminAsync("postgres", ct);
        await CreateDatabaseAsync(admin, new DatabaseSpec(PostgresInitdb.SpareDatabase), ct);
    }

    /// <summary>The data directory appears only whole: initdb makes it under another name, which becomes the data
    /// directory once this server's settings are in it. A guest killed meanwhile leaves initdb running (it ignores the
    /// broken pipe of its output) and the settings out, so the next guest would start a cluster on the default port and
    /// socket; it makes the data again instead (a building server holds no tenant data yet).</summary>
    private async Task InitialiseDataAsync(CancellationToken ct)
    {
        await PrepareEngineDirectoryAsync(ct);
        if (Directory.Exists(_initDir))
            Directory.Delete(_initDir, recursive: true);
        if (Directory.Exists(PristineCopy))
        {
            Directory.Move(PristineCopy, _initDir); // what the server came with: the same initdb, made ahead
            _log.LogInformation("postgresql data initialised from the server's pristine copy");
        }
        else
        {
            await _os.RunCheckedAsync(PostgresInitdb.Tool(Version), PostgresInitdb.Args(_initDir), ct);
        }
        await AppendLocalSettingsAsync(_initDir, ct);
        if (Directory.Exists(_dataDir))
            Directory.Delete(_dataDir, recursive: true); // what an interrupted restore left, without PG_VERSION
        Directory.Move(_initDir, _dataDir);
    }

    /// <summary>Only the server's own address: tenants connect over TCP with their passwords, and this server's own WAL
    /// archive (<see cref="WriteArchiveSettingsAsync"/>). Appended, so that these win over what a restored backup brought
    /// from its original server.</summary>
    private async Task AppendLocalSettingsAsync(string dataDir, CancellationToken ct)
    {
        await WriteArchiveSettingsAsync(dataDir, ct);
        await File.AppendAllTextAsync(Path.Combine(dataDir, "postgresql.conf"),
            $"\nlisten_addresses = '{_address}'\nport = {_port}\nunix_socket_directories = '{_engineDir}'\n" +
            $"include_if_exists = '{ArchiveFile}'\ninclude_if_exists = '{RecoveryFile}'\ninclude_if_exists = '{OverridesFile}'\n", ct);
    }

    private const string OverridesFile = "trove-overrides.conf";

    private async Task PrepareEngineDirectoryAsync(CancellationToken ct)
    {
        var socket = Path.Combine(_engineDir, $".s.PGSQL.{_port}");
        if (socket.Length > MaxSocketPath)
            throw new InvalidOperationException($"the socket path {socket} is longer than {MaxSocketPath} characters; use a shorter data dir");
        Directory.CreateDirectory(_engineDir);
        await _os.OwnAsync(_engineDir, ct);
        File.SetUnixFileMode(_engineDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await _os.RequireReachableAsync(_engineDir, ct);
        await EngineProcesses.KillLeftoversAsync(_engineDir, _log, ct); // a killed guest's initdb or tar, still writing
    }

    /// <summary>What a killed postmaster left goes first: its children still attached to its shared memory, and its lock
    /// files (postmaster.pid, the socket's), which a new postmaster takes for a live server's while the killed one is
    /// a zombie not yet reaped. A start that fails says why with the end of the server's log.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        if (!IsInitialised || await IsRunningAsync(ct))
            return;
        await EngineProcesses.KillLeftoversAsync(_dataDir, _log, ct);
        File.Delete(PidFile);
        File.Delete(Path.Combine(_engineDir, $".s.PGSQL.{_port}.lock"));
        try
        {
            await AsPostgresAsync("pg_ctl", ["-D", _dataDir, "-l", ServerLog, "-w", "-t", "60", "start"], ct);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{e.Message}; the end of {ServerLog}: {EngineLog.Tail(ServerLog)}", e);
        }
        _log.LogInformation("postgresql started on {Address}:{Port}", _address, _port);
    }

    public async Task StopAsync(CancellationToken ct)
    {
        if (!await IsRunningAsync(ct))
            return;
        await AsPostgresAsync("pg_ctl", ["-D", _dataDir, "-m", "fast", "-w", "-t", "60", "stop"], ct);
        _log.LogInformation("postgresql stopped");
    }

    public async Task<string> GetStatusAsync(CancellationToken ct)
    {
        try
        {
            if (!await IsRunningAsync(ct))
                return ServiceStatusNames.Shutdown;
            await using var admin = await OpenAdminAsync("postgres", ct);
            await using var probe = new NpgsqlCommand("SELECT 1", admin);
            await probe.ExecuteScalarAsync(ct);
            return ServiceStatusNames.Healthy;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException or TimeoutException)
        {
            return ServiceStatusNames.Running;
        }
    }

    /// <summary>What <c>pg_ctl status</c> checks (postmaster.pid names a live process) without a process of its own, which
    /// cost a prepare tens of milliseconds a call; and a postmaster that has ended and is not yet reaped (a zombie) is not running.</summary>
    private Task<bool> IsRunningAsync(CancellationToken ct) =>
        Task.FromResult(IsInitialised && PostmasterPid() is { } pid && EngineProcesses.IsAlive(pid));

    private string PidFile => Path.Combine(_dataDir, "postmaster.pid");

    private int? PostmasterPid()
    {
        try
        {
            return int.TryParse(File.ReadLines(PidFile).FirstOrDefault(), out var pid) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private Task<string> AsPostgresAsync(string tool, IEnumerable<string> args, CancellationToken ct) =>
        _os.RunCheckedAsync(Path.Combine(Bin, tool), args, ct);

    public async Task CreateDatabasesAsync(IReadOnlyList<DatabaseSpec> databases, CancellationToken ct)
    {
        await using var admin = await OpenAdminAsync("postgres", ct);
        foreach (var db in databases)
            await CreateDatabaseAsync(admin, db, ct);
    }

    public async Task<IReadOnlyList<DatabaseSpec>> ListDatabasesAsync(CancellationToken ct)
    {
        await using var admin = await OpenAdminAsync("postgres", ct);
        await using var query = new NpgsqlCommand(
            "SELECT datname, pg_encoding_to_char(encoding), datcollate FROM pg_database " +
            $"WHERE NOT datistemplate AND datname NOT IN ('postgres', '{PostgresInitdb.SpareDatabase}') ORDER BY datname", admin);
        await using var reader = await query.ExecuteReaderAsync(ct);
        var databases = new List<DatabaseSpec>();
        while (await reader.ReadAsync(ct))
            databases.Add(new DatabaseSpec(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        return databases;
    }

    public async Task DeleteDatabaseAsync(string name, CancellationToken ct)
    {
        await using var admin = await OpenAdminAsync("postgres", ct);
        await ExecAsync(admin, $"DROP DATABASE IF EXISTS {Sql.Identifier(name)} WITH (FORCE)", ct);
    }

    private static ReservedUsers Reserved => DatastoreProfiles.Postgres.ReservedUsers;

    public async Task CreateUsersAsync(IReadOnlyList<UserSpec> users, CancellationToken ct)
    {
        foreach (var user in users)
            Reserved.Check(user.Name);
        await using var admin = await OpenAdminAsync("postgres", ct);
        foreach (var user in users)
            await CreateUserAsync(admin, user, ct);
    }

    /// <summary>Login roles but the superuser; a user's databases are those it was granted CREATE on.</summary>
    public async Task<IReadOnlyList<UserInfo>> ListUsersAsync(CancellationToken ct)
    {
        await using var admin = await OpenAdminAsync("postgres", ct);
        await using var query = new NpgsqlCommand("""
            SELECT r.rolname, COALESCE(array_agg(d.datname ORDER BY d.datname) FILTER (WHERE d.datname IS NOT NULL), '{}')
            FROM pg_roles r
            LEFT JOIN (SELECT d.datname, a.grantee FROM pg_database d, aclexplode(d.datacl) a WHERE a.privilege_type = 'CREATE') d
                   ON d.grantee = r.oid
            WHERE r.rolcanlogin AND NOT r.rolsuper AND NOT r.rolreplication
            GROUP BY r.rolname ORDER BY r.rolname
            """, admin);
        await using var reader = await query.ExecuteReaderAsync(ct);
        var users = new List<UserInfo>();
        while (await reader.ReadAsync(ct))
            users.Add(new UserInfo(reader.GetString(0), null, reader.GetFieldValue<string[]>(1).Select(d => new UserDatabase(d)).ToList()));
        return users;
    }

    public async Task UpdateUserAsync(string name, string? host, UserChanges changes, CancellationToken ct)
    {
        Reserved.Check(name);
        Reserved.Check(changes.Name ?? name);
        await using var admin = await OpenAdminAsync("postgres", ct);
        await RequireUserAsync(admin, name, ct);
        if (changes.Password is not null)
            await ExecAsync(admin, $"ALTER ROLE {Sql.Identifier(name)} PASSWORD {Sql.Literal(changes.Password)}", ct);
        if (changes.Name is not null && changes.Name != name)
            await ExecAsync(admin, $"ALTER ROLE {Sql.Identifier(name)} RENAME TO {Sql.Identifier(changes.Name)}", ct);
    }

    /// <summary>Objects the user created are handed to the superuser first, so dropping a user never drops tenant data.</summary>
    public async Task DeleteUserAsync(string name, string? host, CancellationToken ct)
    {
        Reserved.Check(name);
        await using var admin = await OpenAdminAsync("postgres", ct);
        if (!await UserExistsAsync(admin, name, ct))
            return;
        foreach (var db in (await ListDatabasesAsync(ct)).Select(d => d.Name).Append("postgres"))
        {
            await using var inDb = await OpenForStatementsAsync(db, ct);
            await ExecAsync(inDb, $"REASSIGN OWNED BY {Sql.Identifier(name)} TO postgres; DROP OWNED BY {Sql.Identifier(name)}", ct);
        }
        await ExecAsync(admin, $"DROP ROLE {Sql.Identifier(name)}", ct);
    }

    public async Task GrantAccessAsync(string name, string? host, IReadOnlyList<string> databases, CancellationToken ct)
    {
        Reserved.Check(name);
        await using var admin = await OpenAdminAsync("postgres", ct);
        await RequireUserAsync(admin, name, ct);
        foreach (var db in databases)
            await GrantAsync(admin, name, db, ct);
    }

    public async Task RevokeAccessAsync(string name, string? host, string database, CancellationToken ct)
    {
        Reserved.Check(name);
        await using var admin = await OpenAdminAsync("postgres", ct);
        await RequireUserAsync(admin, name, ct);
        await ExecAsync(admin, $"REVOKE ALL PRIVILEGES ON DATABASE {Sql.Identifier(database)} FROM {Sql.Identifier(name)}", ct);
        await using var inDb = await OpenForStatementsAsync(database, ct);
        await ExecAsync(inDb, $"REVOKE ALL ON SCHEMA public FROM {Sql.Identifier(name)}", ct);
    }

    /// <summary>Upstream's root on PostgreSQL: a superuser role named <c>root</c>, made (or given a new password) when root is
    /// enabled. The guest's own superuser, <c>postgres</c>, never gets a password, so it cannot log in over TCP
    /// (scram-sha-256).</summary>
    public string RootUserName => "root";

    public async Task<string> EnableRootAsync(string? password, CancellationToken ct)
    {
        password ??= Passwords.Generate();
        await using var admin = await OpenAdminAsync("postgres", ct);
        var verb = await RoleExistsAsync(admin, RootUserName, ct) ? "ALTER" : "CREATE";
        await ExecAsync(admin, $"{verb} ROLE {Sql.Identifier(RootUserName)} WITH SUPERUSER LOGIN PASSWORD {Sql.Literal(password)}", ct);
        return password;
    }

    /// <summary>Takes root's password away (upstream keeps the role); an instance whose root was enabled by an earlier
    /// release had it on <c>postgres</c>, whose password goes too.</summary>
    public async Task DisableRootAsync(CancellationToken ct)
    {
        await using var admin = await OpenAdminAsync("postgres", ct);
        if (await RoleExistsAsync(admin, RootUserName, ct))
            await ExecAsync(admin, $"ALTER ROLE {Sql.Identifier(RootUserName)} PASSWORD NULL", ct);
        await ExecAsync(admin, "ALTER ROLE postgres PASSWORD NULL", ct);
    }

    /// <summary>pg_hba.conf, whole: the guest's own socket (trust), and password logins over TCP from the allowed
    /// networks only (every address when none is given; the engine listens on its server's address alone). Reloaded at
    /// once; a restored backup's rules are replaced by the prepare of its new server.</summary>
    public async Task UpdateAccessAsync(IReadOnlyList<Cidr> networks, CancellationToken ct)
    {
        var sources = networks.Count == 0 ? ["0.0.0.0/0"] : networks.Select(n => n.ToString()).Distinct().ToList();
        var rules = new List<string> { "# Written by the Trove guest: the instance's access (allowed_cidrs).", "local all all trust", "local replication all trust" };
        foreach (var source in sources)
        {
            rules.Add($"host all all {source} scram-sha-256");
            rules.Add($"host replication all {source} scram-sha-256");
        }
        var hba = Path.Combine(_dataDir, "pg_hba.conf");
        await File.WriteAllLinesAsync(hba + ".new", rules, ct);
        File.Move(hba + ".new", hba, overwrite: true);
        await using var admin = await OpenAdminAsync("postgres", ct);
        await ExecAsync(admin, "SELECT pg_reload_conf()", ct);
    }

    private static async Task<bool> RoleExistsAsync(NpgsqlConnection admin, string role, CancellationToken ct)
    {
        await using var query = new NpgsqlCommand("SELECT 1 FROM pg_roles WHERE rolname = @role", admin);
        query.Parameters.AddWithValue("role", role);
        return await query.ExecuteScalarAsync(ct) is not null;
    }

    /// <summary>Writes trove-overrides.conf (included last by postgresql.conf) and reloads: sighup parameters apply
    /// at once, postmaster ones at the next restart.</summary>
    public async Task ApplyOverridesAsync(IReadOnlyDictionary<string, string> overrides, CancellationToken ct)
    {
        var file = Path.Combine(_dataDir, OverridesFile);
        var lines = overrides.Select(o => $"{o.Key} = {Sql.Literal(o.Value)}");
        await File.WriteAllLinesAsync(file, lines, ct);
        await _os.OwnAsync(file, ct);
        await using var admin = await OpenAdminAsync("postgres", ct);
        await ExecAsync(admin, "SELECT pg_reload_conf()", ct);
    }

    /// <summary>Settings whose value comes from a configuration file or the command line, in the engine's base units
    /// (as a group's values are given); a value waiting for a restart shows as it is now.</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetConfigurationAsync(CancellationToken ct)
    {
        await using var admin = await OpenAdminAsync("postgres", ct);
        await using var query = new NpgsqlCommand(
            "SELECT name, setting FROM pg_settings WHERE source IN ('configuration file', 'command line') ORDER BY name", admin);
        await using var reader = await query.ExecuteReaderAsync(ct);
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
            settings[reader.GetString(0)] = reader.GetString(1);
        return settings;
    }

    public string ErrorLogFile => ServerLog;

    /// <summary>PostgreSQL writes every statement (log_statement = all) into its one server log: the general log is those
    /// lines (a simple query's "statement:", an extended one's "execute" and its parameters).</summary>
    public IEnumerable<string> GeneralLogLines() =>
        File.Exists(ServerLog) ? File.ReadLines(ServerLog).Where(IsStatementLine) : [];

    private static bool IsStatementLine(string line) =>
        line.Contains("LOG:  statement: ", StringComparison.Ordinal) || line.Contains("LOG:  execute ", StringComparison.Ordinal)
        || line.Contains("DETAIL:  parameters: ", StringComparison.Ordinal);

    public async Task<bool> GeneralLogEnabledAsync(CancellationToken ct)
    {
        await using var admin = await OpenAdminAsync("postgres", ct);
        await using var query = new NpgsqlCommand("SELECT current_setting('log_statement')", admin);
        return (string?)await query.ExecuteScalarAsync(ct) == "all";
    }

    /// <summary>ALTER SYSTEM keeps it in postgresql.auto.conf, so it survives a restart.</summary>
    public async Task SetGeneralLogAsync(bool enabled, CancellationToken ct)
    {
        await using var admin = await OpenAdminAsync("postgres", ct);
        await ExecAsync(admin, enabled ? "ALTER SYSTEM SET log_statement = 'all'" : "ALTER SYSTEM RESET log_statement", ct);
        await ExecAsync(admin, "SELECT pg_reload_conf()", ct);
    }

    /// <summary>trove-flavor.conf: a quarter of the flavor's RAM for shared buffers, three quarters as the cache estimate,
    /// as a sized server would be tuned; included before the overrides, so a configuration group still wins.</summary>
    public async Task ApplyMemoryAsync(int ramMb, CancellationToken ct)
    {
        if (ramMb <= 0 || !File.Exists(Path.Combine(_dataDir, "PG_VERSION")))
            return;
        var file = Path.Combine(_dataDir, FlavorFile);
        var content = $"shared_buffers = '{Math.Max(16, ramMb / 4)}MB'\neffective_cache_size = '{Math.Max(32, ramMb * 3 / 4)}MB'\n";
        if (File.Exists(file) && await File.ReadAllTextAsync(file, ct) == content)
            return;
        await File.WriteAllTextAsync(file, content, ct);
        await _os.OwnAsync(file, ct);
        var conf = Path.Combine(_dataDir, "postgresql.conf");
        if (!(await File.ReadAllTextAsync(conf, ct)).Contains(FlavorFile))
            await File.AppendAllTextAsync(conf, $"include_if_exists = '{FlavorFile}'\ninclude_if_exists = '{OverridesFile}'\n", ct);
        if (await IsRunningAsync(ct))
            await RestartAsync(ct);
    }

    public async Task SetReadOnlyAsync(bool readOnly, CancellationToken ct)
    {
        await using var admin = await OpenAdminAsync("postgres", ct);
        await ExecAsync(admin, $"ALTER SYSTEM SET default_transaction_read_only = {(readOnly ? "on" : "off")}", ct);
        await ExecAsync(admin, "SELECT pg_reload_conf()", ct);
    }

    private const string FlavorFile = "trove-flavor.conf";

    public async Task RestartAsync(CancellationToken ct)
    {
        await StopAsync(ct);
        await StartAsync(ct);
    }

    private Task<NpgsqlConnection> OpenAdminAsync(string database, CancellationToken ct) => OpenAsync(AdminConnection(database), ct);

    /// <summary>A superuser session in a tenant's database for statements that return nothing: without Npgsql's loading
    /// of the database's types, a catalog query that cost a prepare's grant tens of milliseconds in a database new to this
    /// guest.</summary>
    private Task<NpgsqlConnection> OpenForStatementsAsync(string database, CancellationToken ct) =>
        OpenAsync(AdminConnection(database) + ";Server Compatibility Mode=NoTypeLoading", ct);

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    private static async Task ExecAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<bool> UserExistsAsync(NpgsqlConnection admin, string name, CancellationToken ct)
    {
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_roles WHERE rolname = $1 AND NOT rolsuper", admin) { Parameters = { new() { Value = name } } };
        return await exists.ExecuteScalarAsync(ct) is not null;
    }

    private static async Task RequireUserAsync(NpgsqlConnection admin, string name, CancellationToken ct)
    {
        if (!await UserExistsAsync(admin, name, ct))
            throw new KeyNotFoundException($"User {name} does not exist.");
    }

    private static async Task CreateDatabaseAsync(NpgsqlConnection admin, DatabaseSpec db, CancellationToken ct)
    {
        if (await DatabaseExistsAsync(admin, db.Name, ct))
            return;
        if (db is { CharacterSet: null, Collate: null } && await DatabaseExistsAsync(admin, PostgresInitdb.SpareDatabase, ct))
        {
            await ExecAsync(admin, $"ALTER DATABASE {Sql.Identifier(PostgresInitdb.SpareDatabase)} RENAME TO {Sql.Identifier(db.Name)}", ct);
            return;
        }
        var sql = $"CREATE DATABASE {Sql.Identifier(db.Name)}";
        if (db.CharacterSet is not null || db.Collate is not null)
            sql += " TEMPLATE template0";
        if (db.CharacterSet is not null)
            sql += $" ENCODING {Sql.Literal(db.CharacterSet)}";
        if (db.Collate is not null)
            sql += $" LC_COLLATE {Sql.Literal(db.Collate)} LC_CTYPE {Sql.Literal(db.Collate)}";
        await ExecAsync(admin, sql, ct);
    }

    private static async Task<bool> DatabaseExistsAsync(NpgsqlConnection admin, string name, CancellationToken ct)
    {
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", admin) { Parameters = { new() { Value = name } } };
        return await exists.ExecuteScalarAsync(ct) is not null;
    }

    /// <summary>Creates the role (or sets the password of an existing one) and grants it its databases.</summary>
    private async Task CreateUserAsync(NpgsqlConnection admin, UserSpec user, CancellationToken ct)
    {
        Reserved.Check(user.Name);
        var verb = await UserExistsAsync(admin, user.Name, ct) ? "ALTER ROLE" : "CREATE ROLE";
        await ExecAsync(admin, $"{verb} {Sql.Identifier(user.Name)} LOGIN PASSWORD {Sql.Literal(user.Password)}", ct);
        foreach (var db in user.Databases)
            await GrantAsync(admin, user.Name, db.Name, ct);
    }

    /// <summary>All on the database, and the right to create objects in its public schema, which PostgreSQL 15
    /// no longer gives everyone.</summary>
    private async Task GrantAsync(NpgsqlConnection admin, string user, string database, CancellationToken ct)
    {
        await ExecAsync(admin, $"GRANT ALL PRIVILEGES ON DATABASE {Sql.Identifier(database)} TO {Sql.Identifier(user)}", ct);
        await using var inDb = await OpenForStatementsAsync(database, ct);
        await ExecAsync(inDb, $"GRANT ALL ON SCHEMA public TO {Sql.Identifier(user)}", ct);
    }
}
