using Trove.Contracts.Guests;

namespace Trove.Guest.Datastores;

/// <summary>One datastore engine running in the guest's server directory. Every member is the manager's own: what a
/// datastore cannot do is said by its <see cref="Trove.Contracts.Datastores.DatastoreProfile"/> and refused at the API.</summary>
public interface IDatastoreManager
{
    /// <summary>Initialises the engine's data if it has never been; needs nothing from prepare, so the guest starts it
    /// while it is still connecting. Safe to repeat.</summary>
    Task InitialiseAsync(CancellationToken ct);

    /// <summary>Initialises the engine if it has never been, starts it, creates the databases and users.
    /// Safe to repeat: an initialised engine is only started, existing databases and users are kept.</summary>
    Task PrepareAsync(PrepareArgs args, CancellationToken ct);

    /// <summary>Starts an initialised engine; a running one is left alone.</summary>
    Task StartAsync(CancellationToken ct);

    /// <summary>A pool's server, its engine started, while it waits for its tenant: makes ahead what a prepare would make
    /// slowly (PostgreSQL: a spare database). Nothing by default.</summary>
    Task PrepareAheadAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>Stops the engine cleanly; a stopped one is left alone.</summary>
    Task StopAsync(CancellationToken ct);

    /// <summary>The engine's real status as a <see cref="ServiceStatusNames"/> description.</summary>
    Task<string> GetStatusAsync(CancellationToken ct);

    // Databases, users and root, as upstream's guest API (create_database, list_users, grant_access, enable_root, ...).
    // Names were validated by the API; the manager still quotes every identifier and literal it sends.

    Task CreateDatabasesAsync(IReadOnlyList<DatabaseSpec> databases, CancellationToken ct);

    /// <summary>The tenant's databases: the engine's own (postgres, mysql, information_schema, ...) are left out.</summary>
    Task<IReadOnlyList<DatabaseSpec>> ListDatabasesAsync(CancellationToken ct);

    Task DeleteDatabaseAsync(string name, CancellationToken ct);

    /// <summary>Creates users with their grants; an existing user gets the new password and grants.</summary>
    Task CreateUsersAsync(IReadOnlyList<UserSpec> users, CancellationToken ct);

    /// <summary>The tenant's users with their databases: the engine's own and the guest's admin are left out.</summary>
    Task<IReadOnlyList<UserInfo>> ListUsersAsync(CancellationToken ct);

    /// <summary>Renames, re-passwords or re-hosts a user; null fields stay as they are. Throws when the user does not exist.</summary>
    Task UpdateUserAsync(string name, string? host, UserChanges changes, CancellationToken ct);

    Task DeleteUserAsync(string name, string? host, CancellationToken ct);

    Task GrantAccessAsync(string name, string? host, IReadOnlyList<string> databases, CancellationToken ct);

    Task RevokeAccessAsync(string name, string? host, string database, CancellationToken ct);

    /// <summary>The engine's superuser as the API names it (postgres, root).</summary>
    string RootUserName { get; }

    /// <summary>Enables the engine's superuser for logins over TCP with this password, or a generated one; returns it.</summary>
    Task<string> EnableRootAsync(string? password, CancellationToken ct);

    /// <summary>Takes TCP logins away from the engine's superuser.</summary>
    Task DisableRootAsync(CancellationToken ct);

    /// <summary>Stops and starts the engine.</summary>
    Task RestartAsync(CancellationToken ct);

    /// <summary>Replaces the engine's overrides file with these values and applies at once those the engine can
    /// change while running; the rest take effect at the next restart.</summary>
    Task ApplyOverridesAsync(IReadOnlyDictionary<string, string> overrides, CancellationToken ct);

    /// <summary>The engine's effective values of the settings its configuration sets (its files, the flavor's sizing, a
    /// group's overrides, its command line), as the engine reports them now: upstream's instance configuration.</summary>
    Task<IReadOnlyDictionary<string, string>> GetConfigurationAsync(CancellationToken ct);

    /// <summary>Accepts TCP clients from these networks only (none: from anywhere), by the engine's own host rules; kept
    /// across restarts. A connection already open stays.</summary>
    Task UpdateAccessAsync(IReadOnlyList<Cidr> networks, CancellationToken ct);

    /// <summary>Sizes the engine's memory for the flavor's RAM; a running engine is restarted to take it.</summary>
    Task ApplyMemoryAsync(int ramMb, CancellationToken ct);

    /// <summary>Turns new writes off (the data outgrew its volume) or on again: the profile's
    /// <see cref="Trove.Contracts.Datastores.DatastoreCapabilities.ReadOnlyMode"/>.</summary>
    Task SetReadOnlyAsync(bool readOnly, CancellationToken ct);

    /// <summary>Writes a full, consistent backup of the running engine (uncompressed) to <paramref name="output"/>,
    /// with the engine's own tool.</summary>
    Task BackupAsync(Stream output, string backupId, string? parentBackupId, CancellationToken ct);

    /// <summary>Makes a never-initialised engine's data from a backup written by <see cref="BackupAsync"/>; the engine is
    /// started by the caller afterwards.</summary>
    Task RestoreAsync(Stream input, CancellationToken ct);

    /// <summary>Applies an incremental backup on top of the data <see cref="RestoreAsync"/> (and earlier increments) made;
    /// called only when the profile has <see cref="Trove.Contracts.Datastores.DatastoreCapabilities.IncrementalBackups"/>.</summary>
    Task RestoreIncrementAsync(Stream input, CancellationToken ct);

    /// <summary>Replays the archived log in <paramref name="walCopies"/> over the data <see cref="RestoreAsync"/> made, up to
    /// <paramref name="targetTime"/> (to the archive's end when null), and promotes the engine, which is left running;
    /// called only when the profile has <see cref="Trove.Contracts.Datastores.DatastoreCapabilities.PointInTimeRecovery"/>.</summary>
    Task RecoverAsync(string walCopies, string? walUri, DateTimeOffset? targetTime, CancellationToken ct);

    /// <summary>Keeps the URL the control plane granted for archiving the engine's log into object storage (upstream has no
    /// such call: <c>grant_wal_archive</c>), where the engine's archive command reads it.</summary>
    Task GrantLogArchiveAsync(string uri, CancellationToken ct);

    // Replication, when the profile has DatastoreCapabilities.Replication.

    /// <summary>On a source: makes (again, with a new password, if it exists) what one replica streams with, and answers
    /// where and how the replica connects.</summary>
    Task<ReplicaSource> GrantReplicaAsync(string replicaId, CancellationToken ct);

    /// <summary>On a source: drops what <see cref="GrantReplicaAsync"/> made; a missing one is dropped already.</summary>
    Task RevokeReplicaAsync(string replicaId, CancellationToken ct);

    /// <summary>Makes a new server's data a copy of the source's, configured to follow it as a read-only standby; the engine
    /// is started by the caller afterwards.</summary>
    Task FollowAsync(ReplicaSource source, CancellationToken ct);

    /// <summary>On a replica: stops following the source and takes writes; a detached one is left alone.</summary>
    Task DetachAsync(CancellationToken ct);

    /// <summary>How many seconds a replica's engine is behind its source (0 when it replayed all it received); null when the
    /// engine is no replica.</summary>
    Task<double?> ReplicationLagAsync(CancellationToken ct);

    /// <summary>On a source handing over: stops the engine cleanly, so that its replicas have all its WAL, leaves it
    /// read-only should it start again, and answers its last position. Repeated, it answers the same.</summary>
    Task<ReplicationPosition> FenceAsync(CancellationToken ct);

    /// <summary>Lifts <see cref="FenceAsync"/> (a handover rolled back): the engine starts writable again, unless it
    /// follows a source by now, which it keeps following.</summary>
    Task UnfenceAsync(CancellationToken ct);

    /// <summary>Where the engine is in its log (<see cref="ReplicationPosition"/>).</summary>
    Task<ReplicationPosition> PositionAsync(CancellationToken ct);

    /// <summary>On a replica or a fenced source: follows <paramref name="source"/> from now on, over the data it has, and
    /// runs as its read-only standby.</summary>
    Task AttachAsync(ReplicaSource source, CancellationToken ct);

    /// <summary>The file the engine writes its <see cref="GuestLogNames.Error"/> log to.</summary>
    string ErrorLogFile { get; }

    /// <summary>The general log's lines (every statement) so far; empty when it was never on.</summary>
    IEnumerable<string> GeneralLogLines();

    Task<bool> GeneralLogEnabledAsync(CancellationToken ct);

    /// <summary>Turns the engine's log of every statement on or off, at once.</summary>
    Task SetGeneralLogAsync(bool enabled, CancellationToken ct);
}
