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
        var conninfo = await WritePassFileAsync(source, ct);
        await AsPostgresAsync("pg_basebackup", ["-d", conninfo, "-D", _dataDir, "-X", "stream", "-S", source.Slot, "--checkpoint=fast"], ct);
        await AppendLocalSettingsAsync(_dataDir, ct);
        await WriteStandbyAsync(source, conninfo, ct);
        _log.LogInformation("postgresql data copied from the replica source {Host}:{Port}; starting as its standby", source.Host, source.Port);
    }

    /// <summary>No new copy: a fenced source stopped cleanly after its replicas had all its WAL, and its new source took
    /// over from there, so the engine follows the new source's timeline from where it is. Slots it kept for its own
    /// replicas (when it was a source) go: they would hold WAL forever.</summary>
    public async Task AttachAsync(ReplicaSource source, CancellationToken ct)
    {
        await StopAsync(ct);
        await WriteStandbyAsync(source, await WritePassFileAsync(source, ct), ct);
        await StartAsync(ct);
        await using var admin = await OpenAdminAsync("postgres", ct);
        await ExecAsync(admin, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots " +
                               $"WHERE NOT active AND slot_name LIKE {Sql.Literal(ReplicationNames.Slot("") + "%")}", ct);
        _log.LogInformation("postgresql follows the replica source {Host}:{Port} now", source.Host, source.Port);
    }

    /// <summary>A fast shutdown ends only once the WAL senders sent their replicas all WAL up to the shutdown checkpoint;
    /// the standby signal, with no source to follow, keeps the engine read-only should anything start it again (a guest
    /// restarted). An engine found stopped otherwise (crashed) is started and stopped cleanly first.</summary>
    public async Task<ReplicationPosition> FenceAsync(CancellationToken ct)
    {
        await StopAsync(ct);
        if (!ClusterState(await ControlDataAsync(ct)).StartsWith("shut down", StringComparison.Ordinal))
        {
            await StartAsync(ct);
            await StopAsync(ct);
        }
        await WriteOwnedAsync(StandbySignal, "", ct);
        await IncludeReplicationFileAsync(ct);
        var position = new ReplicationPosition(ControlValue(await ControlDataAsync(ct), "Latest checkpoint location"), Writable: false);
        _log.LogInformation("postgresql fenced: stopped cleanly at {Lsn}, read-only from now on", position.Lsn);
        return position;
    }

    public async Task UnfenceAsync(CancellationToken ct)
    {
        var replication = Path.Combine(_dataDir, ReplicationFile);
        if (!File.Exists(replication) || !File.ReadAllText(replication).Contains("primary_conninfo", StringComparison.Ordinal))
            File.Delete(StandbySignal);
        await StartAsync(ct);
        _log.LogInformation("postgresql fence lifted");
    }

    public async Task<ReplicationPosition> PositionAsync(CancellationToken ct)
    {
        if (!await IsRunningAsync(ct))
            return new ReplicationPosition(ControlValue(await ControlDataAsync(ct), "Latest checkpoint location"), Writable: false);
        await using var admin = await OpenAdminAsync("postgres", ct);
        await using var query = new NpgsqlCommand(
            "SELECT pg_is_in_recovery(), (CASE WHEN pg_is_in_recovery() THEN GREATEST(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) " +
            "ELSE pg_current_wal_lsn() END)::text", admin);
        await using var reader = await query.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new ReplicationPosition(reader.IsDBNull(1) ? "0/0" : reader.GetString(1), Writable: !reader.GetBoolean(0));
    }

    private Task<string> ControlDataAsync(CancellationToken ct) => AsPostgresAsync("pg_controldata", ["-D", _dataDir], ct);

    private static string ClusterState(string controlData) => ControlValue(controlData, "Database cluster state");

    private static string ControlValue(string controlData, string name) =>
        controlData.Split('\n').Select(line => line.Split(':', 2)).FirstOrDefault(kv => kv.Length == 2 && kv[0].Trim() == name)?[1].Trim()
        ?? throw new InvalidOperationException($"pg_controldata did not say '{name}'");

    /// <summary>The password goes to a passfile in the engine's 0700 directory, never on a command line.</summary>
    private async Task<string> WritePassFileAsync(ReplicaSource source, CancellationToken ct)
    {
        await File.WriteAllTextAsync(PassFile, $"{source.Host}:{source.Port}:*:{source.User}:{source.Password}\n", ct);
        File.SetUnixFileMode(PassFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await _os.OwnAsync(PassFile, ct);
        return $"host={source.Host} port={source.Port} user={source.User} passfile={PassFile} application_name={source.Slot}";
    }

    private async Task WriteStandbyAsync(ReplicaSource source, string conninfo, CancellationToken ct)
    {
        await WriteOwnedAsync(Path.Combine(_dataDir, ReplicationFile),
            $"primary_conninfo = {Sql.Literal(conninfo)}\nprimary_slot_name = {Sql.Literal(source.Slot)}\n", ct);
        await WriteOwnedAsync(StandbySignal, "", ct);
        await IncludeReplicationFileAsync(ct);
    }

    /// <summary>A replica's postgresql.conf includes it from its copy on; a source's, from its first handover.</summary>
    private async Task IncludeReplicationFileAsync(CancellationToken ct)
    {
        var conf = Path.Combine(_dataDir, "postgresql.conf");
        var include = $"include_if_exists = '{ReplicationFile}'";
        if (!(await File.ReadAllTextAsync(conf, ct)).Contains(include, StringComparison.Ordinal))
            await File.AppendAllTextAsync(conf, $"\n{include}\n", ct);
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
