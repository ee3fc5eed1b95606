using Microsoft.Extensions.Logging;
using Npgsql;
using Trove.Contracts.Guests;

namespace Trove.Guest.Datastores.Postgres;

/// <summary>
/// Streaming replication. A source gives each replica a role that may only replicate and a physical slot (so that the
/// source keeps the WAL the replica still needs); a replica copies the source with pg_basebackup over that slot and
/// runs as a hot standby (read-only: the engine refuses writes) with primary_conninfo and primary_slot_name in
/// trove-replication.conf. The password is in a passfile in the engine's 0700 directory, never on a command line.
/// </summary>
public sealed partial class PostgresManager
{
    private const string ReplicationFile = "trove-replication.conf";
    private string PassFile => Path.Combine(_engineDir, "replication.pgpass");
    private string StandbySignal => Path.Combine(_dataDir, "standby.signal");

    public async Task<ReplicaSource> GrantReplicaAsync(string replicaId, CancellationToken ct)
    {
        var (role, slot, password) = (ReplicationNames.Role(replicaId), ReplicationNames.Slot(replicaId), Passwords.Generate());
        await using var admin = await OpenAdminAsync("postgres", ct);
        var verb = await RoleExistsAsync(admin, role, ct) ? "ALTER" : "CREATE";
        await ExecAsync(admin, $"{verb} ROLE {Sql.Identifier(role)} WITH REPLICATION LOGIN PASSWORD {Sql.Literal(password)}", ct);
        if (!await SlotExistsAsync(admin, slot, ct))
            await ExecAsync(admin, $"SELECT pg_create_physical_replication_slot({Sql.Literal(slot)}, true)", ct);
        _log.LogInformation("replication role and slot {Slot} ready for replica {Replica}", slot, replicaId);
        return new ReplicaSource(_address, _port, role, password, slot);
    }

    /// <summary>A slot still streamed from (a replica detaching now) has its sender ended first.</summary>
    public async Task RevokeReplicaAsync(string replicaId, CancellationToken ct)
    {
        var (role, slot) = (ReplicationNames.Role(replicaId), ReplicationNames.Slot(replicaId));
        await using var admin = await OpenAdminAsync("postgres", ct);
        for (var attempt = 1; await SlotExistsAsync(admin, slot, ct); attempt++)
        {
            await ExecAsync(admin, $"SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots " +
                                   $"WHERE slot_name = {Sql.Literal(slot)} AND active_pid IS NOT NULL", ct);
            try
            {
                await ExecAsync(admin, $"SELECT pg_drop_replication_slot({Sql.Literal(slot)})", ct);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.ObjectInUse or PostgresErrorCodes.UndefinedObject && attempt < 10)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), ct); // its sender reconnected, or is still ending
            }
        }
        await ExecAsync(admin, $"DROP ROLE IF EXISTS {Sql.Identifier(role)}", ct);
        _log.LogInformation("replication role and slot {Slot} of replica {Replica} dropped", slot, replicaId);
    }

    public async Task FollowAsync(ReplicaSource source, CancellationToken ct)
    {
        await PrepareEngineDirectoryAsync(ct);
        await StopAsync(ct); // the data initialised early (or a copy an earlier try left) goes
        if (Directory.Exists(_dataDir))
            Directory.Delete(_dataDir, recursive: true);
        await File.WriteAllTextAsync(PassFile, $"{source.Host}:{source.Port}:*:{source.User}:{source.Password}\n", ct);
        File.SetUnixFileMode(PassFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await _os.OwnAsync(PassFile, ct);
        var conninfo = $"host={source.Host} port={source.Port} user={source.User} passfile={PassFile} application_name={source.Slot}";
        await AsPostgresAsync("pg_basebackup", ["-d", conninfo, "-D", _dataDir, "-X", "stream", "-S", source.Slot, "--checkpoint=fast"], ct);
        await WriteOwnedAsync(Path.Combine(_dataDir, ReplicationFile),
            $"primary_conninfo = {Sql.Literal(conninfo)}\nprimary_slot_name = {Sql.Literal(source.Slot)}\n", ct);
        await WriteOwnedAsync(StandbySignal, "", ct);
        await AppendLocalSettingsAsync(_dataDir, ct);
        await File.AppendAllTextAsync(Path.Combine(_dataDir, "postgresql.conf"), $"include_if_exists = '{ReplicationFile}'\n", ct);
        _log.LogInformation("postgresql data copied from the replica source {Host}:{Port}; starting as its standby", source.Host, source.Port);
    }

    public async Task DetachAsync(CancellationToken ct)
    {
        await using (var admin = await OpenAdminAsync("postgres", ct))
        {
            await using var inRecovery = new NpgsqlCommand("SELECT pg_is_in_recovery()", admin);
            if ((bool)(await inRecovery.ExecuteScalarAsync(ct))!)
                await ExecAsync(admin, "SELECT pg_promote(true, 60)", ct);
        }
        await WriteOwnedAsync(Path.Combine(_dataDir, ReplicationFile), "", ct); // the source's credentials go
        File.Delete(PassFile);
        _log.LogInformation("postgresql promoted: no longer a replica");
    }

    /// <summary>The age of the last transaction replayed, unless the replica replayed all the WAL it received: a source
    /// with no writes for a while is not a replica behind.</summary>
    public async Task<double?> ReplicationLagAsync(CancellationToken ct)
    {
        if (!File.Exists(StandbySignal))
            return null;
        await using var admin = await OpenAdminAsync("postgres", ct);
        await using var query = new NpgsqlCommand(
            "SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 " +
            "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)::float8 END", admin);
        return await query.ExecuteScalarAsync(ct) is double lag ? Math.Round(lag, 3) : null;
    }

    private async Task WriteOwnedAsync(string path, string content, CancellationToken ct)
    {
        await File.WriteAllTextAsync(path, content, ct);
        await _os.OwnAsync(path, ct);
    }

    private static async Task<bool> SlotExistsAsync(NpgsqlConnection admin, string slot, CancellationToken ct)
    {
        await using var query = new NpgsqlCommand("SELECT 1 FROM pg_replication_slots WHERE slot_name = @slot", admin);
        query.Parameters.AddWithValue("slot", slot);
        return await query.ExecuteScalarAsync(ct) is not null;
    }
}
