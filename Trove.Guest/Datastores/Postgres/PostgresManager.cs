using Microsoft.Extensions.Logging;
using Npgsql;
using Trove.Actors.Guests;

namespace Trove.Guest.Datastores.Postgres;

/// <summary>
/// An isolated PostgreSQL 15 cluster in the server's directory, run as the <c>postgres</c> OS user (PostgreSQL
/// refuses root), listening on 127.0.0.1 only. The guest administers it as the <c>postgres</c> superuser over
/// the unix socket in that directory (trust, reachable only by postgres and root); tenants log in over TCP with
/// passwords (scram-sha-256).
/// </summary>
public sealed class PostgresManager : IDatastoreManager
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private const string OsUser = "postgres";
    private const int MaxSocketPath = 107;

    private readonly string _engineDir;
    private readonly string _dataDir;
    private readonly int _port;
    private readonly ILogger<PostgresManager> _log;

    public PostgresManager(string directory, int port, ILogger<PostgresManager> log)
    {
        _engineDir = Path.Combine(Path.GetFullPath(directory), "postgres");
        _dataDir = Path.Combine(_engineDir, "data");
        _port = port;
        _log = log;
    }

    private string AdminConnection(string database = "postgres") =>
        $"Host={_engineDir};Port={_port};Username=postgres;Database={database};Pooling=false;Timeout=5";

    public async Task PrepareAsync(PrepareArgs args, CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(_dataDir, "PG_VERSION")))
            await InitialiseAsync(ct);
        await StartAsync(ct);

        await using var admin = new NpgsqlConnection(AdminConnection());
        await admin.OpenAsync(ct);
        foreach (var db in args.Databases)
            await CreateDatabaseAsync(admin, db, ct);
        foreach (var user in args.Users)
            await CreateUserAsync(admin, user, ct);
        _log.LogInformation("prepared {Databases} database(s) and {Users} user(s)", args.Databases.Count, args.Users.Count);
    }

    private async Task InitialiseAsync(CancellationToken ct)
    {
        var socket = Path.Combine(_engineDir, $".s.PGSQL.{_port}");
        if (socket.Length > MaxSocketPath)
            throw new InvalidOperationException($"the socket path {socket} is longer than {MaxSocketPath} characters; use a shorter data dir");
        Directory.CreateDirectory(_engineDir);
        await ProcessRunner.RunCheckedAsync("chown", [OsUser, _engineDir], ct);
        File.SetUnixFileMode(_engineDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if ((await ProcessRunner.RunAsync("runuser", ["-u", OsUser, "--", "test", "-x", _engineDir], ct)).ExitCode != 0)
            throw new InvalidOperationException(
                $"the {OsUser} OS user cannot reach {_engineDir}: every directory above it must be searchable by it");

        await AsPostgresAsync("initdb", ["-D", _dataDir, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], ct);
        // Only the server's own address: tenants connect over TCP with their passwords.
        await File.AppendAllTextAsync(Path.Combine(_dataDir, "postgresql.conf"),
            $"\nlisten_addresses = '127.0.0.1'\nport = {_port}\nunix_socket_directories = '{_engineDir}'\n", ct);
    }

    public async Task StartAsync(CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(_dataDir, "PG_VERSION")) || await IsRunningAsync(ct))
            return;
        await AsPostgresAsync("pg_ctl", ["-D", _dataDir, "-l", Path.Combine(_engineDir, "server.log"), "-w", "-t", "60", "start"], ct);
        _log.LogInformation("postgresql started on 127.0.0.1:{Port}", _port);
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
            await using var admin = new NpgsqlConnection(AdminConnection());
            await admin.OpenAsync(ct);
            await using var probe = new NpgsqlCommand("SELECT 1", admin);
            await probe.ExecuteScalarAsync(ct);
            return ServiceStatusNames.Healthy;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException or TimeoutException)
        {
            return ServiceStatusNames.Running;
        }
    }

    private async Task<bool> IsRunningAsync(CancellationToken ct) =>
        File.Exists(Path.Combine(_dataDir, "PG_VERSION"))
        && (await ProcessRunner.RunAsync("runuser", ["-u", OsUser, "--", Path.Combine(Bin, "pg_ctl"), "-D", _dataDir, "status"], ct)).ExitCode == 0;

    private static Task<string> AsPostgresAsync(string tool, IEnumerable<string> args, CancellationToken ct) =>
        ProcessRunner.RunCheckedAsync("runuser", ["-u", OsUser, "--", Path.Combine(Bin, tool), .. args], ct);

    private static async Task CreateDatabaseAsync(NpgsqlConnection admin, DatabaseSpec db, CancellationToken ct)
    {
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", admin) { Parameters = { new() { Value = db.Name } } };
        if (await exists.ExecuteScalarAsync(ct) is not null)
            return;
        var sql = $"CREATE DATABASE {Sql.Identifier(db.Name)}";
        if (db.CharacterSet is not null || db.Collate is not null)
            sql += " TEMPLATE template0";
        if (db.CharacterSet is not null)
            sql += $" ENCODING {Sql.Literal(db.CharacterSet)}";
        if (db.Collate is not null)
            sql += $" LC_COLLATE {Sql.Literal(db.Collate)} LC_CTYPE {Sql.Literal(db.Collate)}";
        await using var create = new NpgsqlCommand(sql, admin);
        await create.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Creates the role (or sets the password of an existing one) and grants it its databases, including
    /// the right to create objects in their public schema, which PostgreSQL 15 no longer gives everyone.</summary>
    private async Task CreateUserAsync(NpgsqlConnection admin, UserSpec user, CancellationToken ct)
    {
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_roles WHERE rolname = $1", admin) { Parameters = { new() { Value = user.Name } } };
        var verb = await exists.ExecuteScalarAsync(ct) is null ? "CREATE ROLE" : "ALTER ROLE";
        await using (var role = new NpgsqlCommand($"{verb} {Sql.Identifier(user.Name)} LOGIN PASSWORD {Sql.Literal(user.Password)}", admin))
            await role.ExecuteNonQueryAsync(ct);

        foreach (var db in user.Databases)
        {
            await using (var grant = new NpgsqlCommand($"GRANT ALL PRIVILEGES ON DATABASE {Sql.Identifier(db.Name)} TO {Sql.Identifier(user.Name)}", admin))
                await grant.ExecuteNonQueryAsync(ct);
            await using var inDb = new NpgsqlConnection(AdminConnection(db.Name));
            await inDb.OpenAsync(ct);
            await using var schema = new NpgsqlCommand($"GRANT ALL ON SCHEMA public TO {Sql.Identifier(user.Name)}", inDb);
            await schema.ExecuteNonQueryAsync(ct);
        }
    }
}
