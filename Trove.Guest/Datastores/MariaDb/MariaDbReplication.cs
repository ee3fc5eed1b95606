using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Trove.Contracts.Datastores;
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
            await admin.ExecAsync($"KILL CONNECTION {long.Parse(session[0]!, CultureInfo.InvariantCulture)}", ct);
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
            await admin.ExecAsync("CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_USE_GTID = slave_pos",
                ct, source.Host, source.Port, source.User, source.Password);
            await admin.ExecAsync("START SLAVE", ct);
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

    public async Task DetachAsync(CancellationToken ct)
    {
        await using (var admin = await OpenAdminAsync(ct))
        {
            await admin.ExecAsync("STOP SLAVE", ct);
            await admin.ExecAsync("RESET SLAVE ALL", ct); // the source's address and credentials go
            File.Delete(ReplicaFile);
            if (!File.Exists(ReadOnlyFile))
                await admin.ExecAsync("SET GLOBAL read_only = OFF", ct);
        }
        _log.LogInformation("mariadb no longer a replica: takes writes");
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

    // A replica set's switchover and failover: the profile lacks Promotion, so the API refuses both before a guest is asked.
    private static NotSupportedException NoPromotion => new(DatastoreProfiles.MariaDb.Lacks(DatastoreCapability.Promotion));

    public Task<ReplicationPosition> FenceAsync(CancellationToken ct) => throw NoPromotion;

    public Task UnfenceAsync(CancellationToken ct) => throw NoPromotion;

    public Task<ReplicationPosition> PositionAsync(CancellationToken ct) => throw NoPromotion;

    public Task AttachAsync(ReplicaSource source, CancellationToken ct) => throw NoPromotion;
}
