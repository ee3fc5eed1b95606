using System.Text;
using System.Text.Json.Serialization;
using Trove.Contracts;

namespace Trove.Contracts.Guests;

/// <summary>The wire contract between the control plane and a guest agent, in upstream Trove's JSON names.</summary>
public static class GuestMethods
{
    public const string Prepare = "prepare";
    public const string StopDb = "stop_db";
    public const string StartDb = "start_db";
    public const string GetStatus = "get_status";
    public const string Heartbeat = "heartbeat";
    public const string Restart = "restart";
    public const string CreateDatabase = "create_database";
    public const string ListDatabases = "list_databases";
    public const string DeleteDatabase = "delete_database";
    public const string CreateUser = "create_user";
    public const string ListUsers = "list_users";
    public const string UpdateAttributes = "update_attributes";
    public const string DeleteUser = "delete_user";
    public const string GrantAccess = "grant_access";
    public const string RevokeAccess = "revoke_access";
    public const string EnableRoot = "enable_root";
    public const string DisableRoot = "disable_root";
    public const string CreateBackup = "create_backup";
    public const string UpdateOverrides = "update_overrides";
    public const string Resize = "resize";
    public const string UpdateBackup = "update_backup";
    public const string GetConfiguration = "get_configuration";
    /// <summary>Upstream's reachability check: the guest answers true, and does nothing else.</summary>
    public const string RpcPing = "rpc_ping";
    public const string GuestLogList = "guest_log_list";
    public const string GuestLogAction = "guest_log_action";
    /// <summary>Ours: the log's text, which the control plane publishes into the backup storage (upstream's guest writes Swift).</summary>
    public const string GuestLogRead = "guest_log_read";
    /// <summary>Not upstream's (its taskmanager sets security group rules); here the engine's host rules enforce them.</summary>
    public const string UpdateAccess = "update_access";
    /// <summary>Ours: the prefix TempURL through which the guest's engine archives its WAL into object storage
    /// (<see cref="WalArchiveGrantArgs"/>); the control plane casts a fresh one before the last expires.</summary>
    public const string GrantWalArchive = "grant_wal_archive";
    /// <summary>On a replica source: makes the replica's role and slot and answers a <see cref="ReplicaSource"/> (without the
    /// address, which the control plane knows).</summary>
    public const string GetReplicaContext = "get_replica_context";
    /// <summary>On a replica source: drops the role and slot of a replica that was detached or deleted.</summary>
    public const string CleanupSourceOnReplicaDetach = "cleanup_source_on_replica_detach";
    /// <summary>On a replica: stops following its source and becomes a writable instance of its own.</summary>
    public const string DetachReplica = "detach_replica";
    /// <summary>On a replica source (<see cref="ReadOnlyArgs"/>): read_only true fences it (the engine stops cleanly, having
    /// streamed its last WAL to its replicas, and stays read-only if started again) and answers its last
    /// <see cref="ReplicationPosition"/>; false lifts the fence of a switchover rolled back.</summary>
    public const string MakeReadOnly = "make_read_only";
    /// <summary>Upstream's name for asking where the engine is in its WAL: a <see cref="ReplicationPosition"/>.</summary>
    public const string GetLastTxn = "get_last_txn";
    /// <summary>On a replica, or a fenced source (<see cref="ReplicaSource"/>): follows that source from now on, without a
    /// new copy (its data is the source's up to where the source took over).</summary>
    public const string AttachReplica = "attach_replica";
}

/// <summary>A user as the engine has it; <see cref="Host"/> is null for engines without host-scoped users.</summary>
public sealed record UserInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("host")] string? Host,
    [property: JsonPropertyName("databases")] IReadOnlyList<UserDatabase> Databases)
{
    /// <summary>Whether this is the user a request names: <c>name</c> (any host) or <c>name@host</c> (upstream's "%" when none).</summary>
    public bool Is(string name, string? host) => Name == name && (host is null || (Host ?? "%") == host);
}

/// <summary>upstream's update_attributes: each field given changes, each null stays.</summary>
public sealed record UserChanges(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("password")] string? Password,
    [property: JsonPropertyName("host")] string? Host)
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);
}

/// <summary>A heartbeat's payload. Ours besides upstream's: <c>fault</c> says why a prepare failed or, once prepared, what
/// is wrong with the running server (a full volume), <c>volume_used</c> is the GB the instance's data takes (upstream
/// asks the guest for it on every show), <c>replication_lag</c> the seconds a replica's engine is behind its source (none on
/// an instance that is no replica).</summary>
public sealed record HeartbeatPayload(
    [property: JsonPropertyName("service_status")] string ServiceStatus,
    [property: JsonPropertyName("fault")] string? Fault = null,
    [property: JsonPropertyName("volume_used")] double? VolumeUsed = null,
    [property: JsonPropertyName("replication_lag")] double? ReplicationLag = null);

/// <summary>Args of the conductor's <c>heartbeat</c>; <c>sent</c> is seconds since the epoch, as upstream sends it.</summary>
public sealed record HeartbeatArgs(
    [property: JsonPropertyName("instance_id")] string InstanceId,
    [property: JsonPropertyName("payload")] HeartbeatPayload Payload,
    [property: JsonPropertyName("sent")] double Sent)
{
    public static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
}

public sealed record DatabaseSpec(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("character_set")] string? CharacterSet = null,
    [property: JsonPropertyName("collate")] string? Collate = null);

public sealed record UserDatabase([property: JsonPropertyName("name")] string Name);

public sealed record UserSpec(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("password")] string Password,
    [property: JsonPropertyName("host")] string? Host,
    [property: JsonPropertyName("databases")] IReadOnlyList<UserDatabase> Databases)
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);
}

/// <summary>Args of the guest's <c>prepare</c>: what to create once the engine is up, and the overrides of a configuration
/// group given at create (upstream's <c>overrides</c>), applied before the instance is ACTIVE; with
/// <paramref name="OverridesNeedRestart"/> the engine is restarted to take them all. A replica's prepare names its
/// source (<paramref name="ReplicaOf"/>): its data is copied from there, and it starts as a standby following it. A
/// restore of a datastore with point-in-time recovery replays the source's archived log over the backup (<paramref name="Recovery"/>).</summary>
public sealed record PrepareArgs(
    [property: JsonPropertyName("databases")] IReadOnlyList<DatabaseSpec> Databases,
    [property: JsonPropertyName("users")] IReadOnlyList<UserSpec> Users,
    [property: JsonPropertyName("backup_info")] BackupInfo? BackupInfo = null,
    [property: JsonPropertyName("overrides")] IReadOnlyDictionary<string, string>? Overrides = null,
    [property: JsonPropertyName("overrides_need_restart")] bool OverridesNeedRestart = false,
    [property: JsonPropertyName("access")] AccessArgs? Access = null,
    [property: JsonPropertyName("replica_of")] ReplicaSource? ReplicaOf = null,
    [property: JsonPropertyName("recovery")] RecoveryArgs? Recovery = null,
    [property: JsonPropertyName("flavor")] FlavorArgs? Flavor = null);

/// <summary>The tenant's flavor and volume, for a server made ahead of time (a pool's) whose guest info holds the pool's.</summary>
public sealed record FlavorArgs([property: JsonPropertyName("ram_mb")] int RamMb, [property: JsonPropertyName("volume_size")] int VolumeSize);

/// <summary>A restore's recovery: the source's archived log is replayed over the restored backup up to
/// <paramref name="TargetTime"/> (ISO 8601, UTC), or to its end when none is given; then the engine is promoted, and archives
/// into its own instance's archive. The log is read from the copies the compute driver put into the server (its
/// <c>restore/wal</c>), or, from object storage, through <paramref name="WalUri"/>: a read-only TempURL for the prefix of
/// the source's segments (a segment is read at the URL's path plus its name, with the URL's query).</summary>
public sealed record RecoveryArgs(
    [property: JsonPropertyName("target_time")] DateTimeOffset? TargetTime = null,
    [property: JsonPropertyName("wal_uri")] string? WalUri = null)
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);
}

/// <summary>Args of <c>grant_wal_archive</c>: a TempURL that writes (PUT, and HEAD) only objects under the instance's own
/// WAL prefix in object storage, valid until <paramref name="Expires"/>.</summary>
public sealed record WalArchiveGrantArgs(
    [property: JsonPropertyName("uri")] string Uri,
    [property: JsonPropertyName("expires")] DateTimeOffset Expires)
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);
}

/// <summary>Args of <c>update_access</c>, and the access of <c>prepare</c>: the networks (<see cref="Cidr"/>s) whose clients
/// the engine accepts; none means every client, as upstream's default security group rule (0.0.0.0/0).</summary>
public sealed record AccessArgs([property: JsonPropertyName("allowed_cidrs")] IReadOnlyList<string> AllowedCidrs)
{
    /// <summary>The networks, parsed; a CIDR that does not parse is refused (the API checked them already).</summary>
    public IReadOnlyList<Cidr> Networks() =>
        AllowedCidrs.Select(c => Cidr.Parse(c) ?? throw new ArgumentException($"'{c}' is not a CIDR")).ToList();
}

/// <summary>
/// What a guest is started with (upstream's guest_info.conf): written by the compute driver into the
/// server's directory as guest_info.json. <c>wal_archive</c>: the directory of the backup storage, the guest's alone, where
/// its engine archives each completed log segment (none: no archive); <c>wal_archive_granted</c>: the engine archives into
/// object storage instead, through the URL the control plane grants by <c>grant_wal_archive</c>. <c>pooled</c>: a pool's
/// server, whose guest starts its engine at once and waits for a claim's prepare; <c>starts_engine_at_once</c>: a plain
/// create's server (no restore, no replica), whose guest starts its engine while it connects, before its prepare arrives.
/// </summary>
public sealed record GuestInfo(
    [property: JsonPropertyName("instance_id")] string InstanceId,
    [property: JsonPropertyName("datastore")] string Datastore,
    [property: JsonPropertyName("datastore_version")] string DatastoreVersion,
    [property: JsonPropertyName("port")] int Port,
    [property: JsonPropertyName("directory")] string Directory,
    [property: JsonPropertyName("amqp_uri")] string AmqpUri,
    [property: JsonPropertyName("exchange")] string Exchange,
    [property: JsonPropertyName("conductor_queue")] string ConductorQueue,
    [property: JsonPropertyName("heartbeat_interval_seconds")] double HeartbeatIntervalSeconds,
    [property: JsonPropertyName("backup_directory")] string BackupDirectory,
    [property: JsonPropertyName("volume_size")] int VolumeSize = 0,
    [property: JsonPropertyName("ram_mb")] int RamMb = 0,
    [property: JsonPropertyName("address")] string? Address = null,
    [property: JsonPropertyName("wal_archive")] string? WalArchive = null,
    [property: JsonPropertyName("wal_archive_granted")] bool WalArchiveGranted = false,
    [property: JsonPropertyName("pooled")] bool Pooled = false,
    [property: JsonPropertyName("starts_engine_at_once")] bool StartsEngineAtOnce = false)
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);

    /// <summary>Servers made before each had an address of its own have none in their guest info: their engines keep
    /// listening where they always did, 127.0.0.1 and a port of their own.</summary>
    public const string OlderReleaseAddress = "127.0.0.1";

    /// <summary>Where the engine listens for tenants.</summary>
    [JsonIgnore]
    public string ListenAddress => Address ?? OlderReleaseAddress;
}

/// <summary>Service status descriptions a guest reports in heartbeats (upstream's ServiceStatuses descriptions).</summary>
public static class ServiceStatusNames
{
    public const string New = "new";
    public const string Building = "building";
    public const string Running = "running";
    public const string Healthy = "healthy";
    public const string Shutdown = "shutdown";
    public const string Failed = "failed to spawn";
    public const string Unknown = "unknown";
    public const string FailedTimeoutGuestAgent = "guestagent error";
}

// Args of the database, user and root methods, in upstream's names.
public sealed record DatabasesArgs([property: JsonPropertyName("databases")] IReadOnlyList<DatabaseSpec> Databases);
public sealed record DatabaseArgs([property: JsonPropertyName("database")] DatabaseSpec Database);
public sealed record UsersArgs([property: JsonPropertyName("users")] IReadOnlyList<UserSpec> Users);
public sealed record UserRef([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("host")] string? Host);
public sealed record UserArgs([property: JsonPropertyName("user")] UserRef User);
public sealed record UpdateAttributesArgs(
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("hostname")] string? Hostname,
    [property: JsonPropertyName("user_attrs")] UserChanges UserAttrs);
public sealed record GrantAccessArgs(
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("hostname")] string? Hostname,
    [property: JsonPropertyName("databases")] IReadOnlyList<string> Databases);
public sealed record RevokeAccessArgs(
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("hostname")] string? Hostname,
    [property: JsonPropertyName("database")] string Database);
public sealed record EnableRootArgs([property: JsonPropertyName("root_password")] string? RootPassword)
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);
}
public sealed record RootCredentials([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("password")] string Password)
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);
}

/// <summary>Which backup to take, or to restore from: the location and checksum are known once it completed.
/// <paramref name="AccessUri"/>: where the guest writes this backup (<c>create_backup</c>) or reads it (a restore's
/// <c>prepare</c>) over HTTP, when it is in object storage: a Swift TempURL for that one object, signed for the call
/// and never kept. Without it (the local storage, or an older control plane) the guest uses the local files.</summary>
public sealed record BackupInfo(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("location")] string? Location,
    [property: JsonPropertyName("checksum")] string? Checksum,
    [property: JsonPropertyName("parent")] BackupInfo? Parent = null,
    [property: JsonPropertyName("access_uri")] string? AccessUri = null)
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);

    /// <summary>The chain a restore applies: the full backup first, then each increment in order.</summary>
    public IReadOnlyList<BackupInfo> Chain() => Parent is null ? [this] : [.. Parent.Chain(), this];
}

public sealed record CreateBackupArgs([property: JsonPropertyName("backup_info")] BackupInfo BackupInfo);

/// <summary>Args of the conductor's <c>update_backup</c>: upstream's backup_fields, flattened. <paramref name="Fault"/> says
/// why a FAILED backup failed (upstream has none; an older guest sends none). <paramref name="Etag"/>: the MD5 of what
/// the guest uploaded to object storage, which the control plane checks against the object's ETag on seal.</summary>
public sealed record UpdateBackupArgs(
    [property: JsonPropertyName("instance_id")] string InstanceId,
    [property: JsonPropertyName("backup_id")] string BackupId,
    [property: JsonPropertyName("sent")] double Sent,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("size")] long? Size = null,
    [property: JsonPropertyName("checksum")] string? Checksum = null,
    [property: JsonPropertyName("location")] string? Location = null,
    [property: JsonPropertyName("fault")] string? Fault = null,
    [property: JsonPropertyName("etag")] string? Etag = null);

/// <summary>A configuration group's values, as the engine's configuration file wants them; empty removes them all.</summary>
public sealed record UpdateOverridesArgs([property: JsonPropertyName("overrides")] IReadOnlyDictionary<string, string> Overrides);

/// <summary>Args of <c>resize</c>: the volume's GB (the data's quota) and the flavor's memory the engine may use.</summary>
public sealed record ResizeArgs(
    [property: JsonPropertyName("volume_size")] int VolumeSize,
    [property: JsonPropertyName("ram_mb")] int RamMb);
