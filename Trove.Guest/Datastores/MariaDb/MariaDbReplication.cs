using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using Trove.Contracts.Guests;

namespace Trove.Guest.Datastores.MariaDb;

/// <summary>
/// GTID replication. Every server writes a binary log (row format, replicated changes included, so a replica can become
/// a source) under a server id of its own. A source gives each replica an account that may replicate and read what a
/// consistent dump needs; a replica copies the source with <c>mariadb-dump --single-transaction --gtid
/// --master-data</c> (which records the GTID position the copy is consistent at), loads it without logging it, and
/// follows the source from that position, read-only. The account's password is in a 0600 option file in the engine's
/// 0700 directory, never on a command line; the engine keeps it in its own replication state.
/// </summary>
public sealed partial class MariaDbManager
{
    private const string ReplicaGrants = "REPLICATION SLAVE, BINLOG MONITOR, SELECT, RELOAD, LOCK TABLES, SHOW VIEW, EVENT, TRIGGER";
    private static readonly TimeSpan BinaryLogKept = TimeSpan.FromDays(7);

    private string ReplicaFile => Path.Combine(_engineDir, "replica.conf");
    private string SourceCredentialsFile => Path.Combine(_engineDir, "replica-source.cnf");
    private bool IsReplica => File.Exists(ReplicaFile);

    private string[] BinaryLogOptions =>
    [
        "--log-bin=mariadb-bin", $"--server-id={ServerId}", "--binlog-format=ROW", "--log-slave-updates=ON",
        $"--binlog-expire-logs-seconds={(long)BinaryLogKept.TotalSeconds}",
    ];

    /// <summary>Unique among the servers that replicate to one another: a hash of the address and port they reach it on.</summary>
    private uint ServerId => Math.Max(1, BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes($"{_address}:{_port}"))));

    public async Task<ReplicaSource> GrantReplicaAsync(string replicaId, CancellationToken ct)
    {
        var (account, password) = (ReplicationNames.Role(replicaId), Passwords.Generate());
        await using var admin = await OpenAdminAsync(ct);
        await admin.ExecAsync("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", ct, account, password);
        await admin.ExecAsync("ALTER USER ?@'%' IDENTIFIED BY ?", ct, account, password);
        await admin.ExecAsync($"GRANT {ReplicaGrants} ON *.* TO ?@'%'", ct, account);
        _log.LogInformation("replication account ready for replica {Replica}", replicaId);
        return new ReplicaSource(_address, _port, account, password, Slot: "");
    }

    /// <summary>The account goes, and with it the replica's connections (a dropped account's sessions live on otherwise).</summary>
    public async Task RevokeReplicaAsync(string replicaId, CancellationToken ct)
    {
        var account = ReplicationNames.Role(replicaId);
        await using var admin = await OpenAdminAsync(ct);
        await admin.ExecAsync("DROP USER IF EXISTS ?@'%'", ct, account);
        foreach (var session in await admin.RowsAsync("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ?", ct, account))
            await KillAsync(admin, session[0]!, ct);
        _log.LogInformation("replication account of replica {Replica} dropped", replicaId);
    }

    public async Task FollowAsync(ReplicaSource source, CancellationToken ct)
    {
        await InitialiseAsync(ct);
        await File.WriteAllTextAsync(ReplicaFile, "read-only=ON\n", ct); // before the engine starts: never a writable moment
        await StartAsync(ct);
        var dump = Path.Combine(_engineDir, "replica-copy.sql");
        try
        {
            await File.WriteAllTextAsync(SourceCredentialsFile, "", ct);
            File.SetUnixFileMode(SourceCredentialsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await File.WriteAllTextAsync(SourceCredentialsFile,
                $"[client]\nhost={source.Host}\nport={source.Port}\nuser={source.User}\npassword={source.Password}\n", ct);
            await CopySourceAsync(dump, ct);
            await using var admin = await OpenAdminAsync(ct);
            await admin.ExecAsync("FLUSH PRIVILEGES", ct); // the source's accounts, loaded as rows
            await ChangeSourceAsync(admin, source, ct);
        }
        finally
        {
            File.Delete(dump);
            File.Delete(SourceCredentialsFile); // the password, also when the copy failed
        }
        _log.LogInformation("mariadb data copied from the replica source {Host}:{Port}; following it", source.Host, source.Port);
    }

    private async Task CopySourceAsync(string dump, CancellationToken ct)
    {
        await using (var output = File.Create(dump))
            await ProcessRunner.PipeAsync("mariadb-dump",
                [$"--defaults-extra-file={SourceCredentialsFile}", "--all-databases", "--single-transaction", "--gtid", "--master-data=1",
                 "--routines", "--events", "--triggers"], null, output, ct);
        await using (var input = File.OpenRead(dump))
            await ProcessRunner.PipeAsync("mariadb",
                ["--no-defaults", $"--socket={_socket}", $"--user={AdminAccount}", "--init-command=SET sql_log_bin = 0"], input, null, ct);
    }

    /// <summary>What the replica received is applied first (as PostgreSQL replays its WAL before it is promoted): a replica
    /// promoted in a switchover holds all its old source wrote. Replication is stopped and reset, and writes are on.</summary>
    public async Task DetachAsync(CancellationToken ct)
    {
        await using (var admin = await OpenAdminAsync(ct))
        {
            if (await admin.RowAsync("SHOW SLAVE STATUS", ct) is not null)
                await ApplyReceivedAsync(admin, ct);
            await admin.ExecAsync("STOP SLAVE", ct);
            await admin.ExecAsync("RESET SLAVE ALL", ct); // the source's address and credentials go
            File.Delete(ReplicaFile);
            await ApplyReadOnlyAsync(admin, ct);
        }
        _log.LogInformation("mariadb no longer a replica: takes writes");
    }

    private static async Task ApplyReceivedAsync(MariaAdmin admin, CancellationToken ct)
    {
        await admin.ExecAsync("STOP SLAVE IO_THREAD", ct);
        await admin.ExecAsync("START SLAVE SQL_THREAD", ct); // one stopped (on an error) tries again
        var status = await admin.RowAsync("SHOW SLAVE STATUS", ct);
        if (status?.GetValueOrDefault("Gtid_IO_Pos") is not { Length: > 0 } received)
            return;
        var applied = Convert.ToInt64(await admin.ScalarAsync("SELECT MASTER_GTID_WAIT(?, ?)", ct, received, StartStopTimeout.TotalSeconds),
            CultureInfo.InvariantCulture);
        if (applied != 0)
            throw new InvalidOperationException($"the replica did not apply all it received ({received}) within {StartStopTimeout.TotalSeconds} s: " +
                                                (await admin.RowAsync("SHOW SLAVE STATUS", ct))?.GetValueOrDefault("Last_SQL_Error"));
    }

    /// <summary>The engine's own measure (Seconds_Behind_Master); null when no replica, or while it is not connected.</summary>
    public async Task<double?> ReplicationLagAsync(CancellationToken ct)
    {
        if (!IsReplica)
            return null;
        await using var admin = await OpenAdminAsync(ct);
        var status = await admin.RowAsync("SHOW SLAVE STATUS", ct);
        return status?.GetValueOrDefault("Seconds_Behind_Master") is { } seconds ? double.Parse(seconds, CultureInfo.InvariantCulture) : null;
    }

    private string FenceFile => Path.Combine(_engineDir, "fence.conf");
    private string FencedAtFile => Path.Combine(_engineDir, "fenced-at.gtid");

    /// <summary>
    /// MariaDB 10.11 has no super_read_only: read_only stops tenants, not an account with READ ONLY ADMIN (a tenant's root),
    /// and FLUSH TABLES WITH READ LOCK lasts only as long as the session holding it. So the fence ends the engine, as
    /// PostgreSQL's does: read_only on, every client session but replication's killed, the global read lock taken (it
    /// waits for commits under way and stops any other), the binary log's position read, and <c>SHUTDOWN WAIT FOR ALL
    /// SLAVES</c>, which ends the server once it sent its connected replicas the last event. fence.conf keeps the engine
    /// read-only should anything start it again; the position is kept to answer a repeated fence.
    /// </summary>
    public async Task<ReplicationPosition> FenceAsync(CancellationToken ct)
    {
        if (File.Exists(FencedAtFile) && RunningPid() is null)
            return Fenced(await File.ReadAllTextAsync(FencedAtFile, ct));
        await File.WriteAllTextAsync(FenceFile, "read-only=ON\n", ct);
        await StartAsync(ct); // one found stopped (crashed) is started read-only, to stop it cleanly
        string position;
        await using (var admin = await OpenAdminAsync(ct))
        {
            await admin.ExecAsync("SET GLOBAL read_only = ON", ct);
            foreach (var session in await admin.RowsAsync("SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() " +
                                                          "AND COMMAND NOT IN ('Binlog Dump', 'Daemon') AND USER <> 'system user'", ct))
                await KillAsync(admin, session[0]!, ct);
            await admin.ExecAsync("FLUSH TABLES WITH READ LOCK", ct);
            position = Convert.ToString(await admin.ScalarAsync("SELECT @@GLOBAL.gtid_binlog_pos", ct), CultureInfo.InvariantCulture) ?? "";
            await File.WriteAllTextAsync(FencedAtFile, position, ct);
            await admin.ExecAsync("SHUTDOWN WAIT FOR ALL SLAVES", ct);
        }
        await StopAsync(ct); // waits for the server to end
        _log.LogInformation("mariadb fenced: stopped cleanly at {Gtid}, read-only from now on", position);
        return Fenced(position);
    }

    private static ReplicationPosition Fenced(string gtid) => new(null, Writable: false, gtid);

    /// <summary>A session that ended meanwhile is no error.</summary>
    private static async Task KillAsync(MariaAdmin admin, string id, CancellationToken ct)
    {
        try
        {
            await admin.ExecAsync($"KILL CONNECTION {long.Parse(id, CultureInfo.InvariantCulture)}", ct);
        }
        catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.NoSuchThread)
        {
        }
    }

    public async Task UnfenceAsync(CancellationToken ct)
    {
        File.Delete(FenceFile);
        File.Delete(FencedAtFile);
        if (await PingAsync(ct)) // a fence that failed before the engine stopped
        {
            await using var admin = await OpenAdminAsync(ct);
            await ApplyReadOnlyAsync(admin, ct);
        }
        await StartAsync(ct);
        _log.LogInformation("mariadb fence lifted");
    }

    /// <summary>The furthest of what the engine wrote to its binary log, applied, and (a replica) received; a fenced engine
    /// answers where it stopped. Writable: neither a replica nor fenced.</summary>
    public async Task<ReplicationPosition> PositionAsync(CancellationToken ct)
    {
        if (RunningPid() is null)
            return File.Exists(FencedAtFile)
                ? Fenced(await File.ReadAllTextAsync(FencedAtFile, ct))
                : throw new InvalidOperationException("mariadb is not running: where it is in its log is not known");
        await using var admin = await OpenAdminAsync(ct);
        var received = (await admin.RowAsync("SHOW SLAVE STATUS", ct))?.GetValueOrDefault("Gtid_IO_Pos");
        var logged = (await admin.RowsAsync("SELECT @@GLOBAL.gtid_binlog_pos, @@GLOBAL.gtid_slave_pos", ct))[0];
        return new ReplicationPosition(null, Writable: !IsReplica && !File.Exists(FenceFile),
            GtidPosition.Furthest(logged[0], logged[1], received).ToString());
    }

    /// <summary>A replica (or a fenced source) follows another source over the data it has. Its slave position becomes
    /// its current one first: a former source's own writes are in its binary log, not in what it applied as a replica, and
    /// it asks the new source only for what follows them.</summary>
    public async Task AttachAsync(ReplicaSource source, CancellationToken ct)
    {
        await File.WriteAllTextAsync(ReplicaFile, "read-only=ON\n", ct); // before the fence goes: never a writable moment
        File.Delete(FenceFile);
        File.Delete(FencedAtFile);
        await StartAsync(ct);
        await using var admin = await OpenAdminAsync(ct);
        await ApplyReadOnlyAsync(admin, ct);
        await admin.ExecAsync("STOP SLAVE", ct);
        await admin.ExecAsync("SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_current_pos", ct);
        await ChangeSourceAsync(admin, source, ct);
        _log.LogInformation("mariadb follows the replica source {Host}:{Port} now", source.Host, source.Port);
    }

    private static async Task ChangeSourceAsync(MariaAdmin admin, ReplicaSource source, CancellationToken ct)
    {
        await admin.ExecAsync("CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_USE_GTID = slave_pos",
            ct, source.Host, source.Port, source.User, source.Password);
        await admin.ExecAsync("START SLAVE", ct);
    }

    /// <summary>Read-only while the volume is full, a replica, or fenced; writable otherwise.</summary>
    private async Task ApplyReadOnlyAsync(MariaAdmin admin, CancellationToken ct) =>
        await admin.ExecAsync($"SET GLOBAL read_only = {(File.Exists(ReadOnlyFile) || IsReplica || File.Exists(FenceFile) ? "ON" : "OFF")}", ct);
}
