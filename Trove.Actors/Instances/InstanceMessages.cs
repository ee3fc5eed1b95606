using System.Text;
using System.Text.Json.Nodes;
using Trove.Actors.Serialization;
using Trove.Contracts.Guests;
using Trove.Contracts;

namespace Trove.Actors.Instances;

/// <summary>Routes a message to the instance entity with that id.</summary>
public interface IWithInstanceId
{
    string InstanceId { get; }
}

/// <summary>What a tenant asked for; passwords live in <see cref="Users"/> only until the guest has them. A restore names
/// its backup (<see cref="RestoreBackupId"/>): the entity asks the backup for its chain and keeps it in
/// <see cref="RestoreFrom"/> (an earlier release's API sent the chain itself). A replica names its source
/// (<see cref="ReplicaOf"/>): the entity asks the source for its flavor, volume, datastore and the
/// <see cref="ReplicaSource"/> its guest streams from, which, as passwords, goes to the guest's queue only. A restore to a
/// time names it (<see cref="RestoreTime"/>); the entity adds the instance whose archived WAL is replayed (<see cref="RestoreWalOf"/>)
/// and, for an archive in object storage, the URL the guest reads it through (<see cref="RestoreWalUri"/>, not journaled).</summary>
public sealed record InstanceRequest(
    string TenantId,
    string Name,
    string FlavorId,
    int RamMb,
    int VolumeSize,
    string Datastore,
    string DatastoreVersion,
    IReadOnlyList<DatabaseSpec> Databases,
    IReadOnlyList<UserSpec> Users,
    BackupInfo? RestoreFrom = null,
    string? RestoreBackupId = null,
    string? ConfigurationId = null,
    ConfigurationGroup? Configuration = null,
    InstanceAccess? Access = null,
    string? User = null,
    string? ReplicaOf = null,
    ReplicaSource? ReplicaSource = null,
    DateTimeOffset? RestoreTime = null,
    string? RestoreWalOf = null,
    string? RestoreWalUri = null)
{
    /// <summary>The locations of the backup chain to restore from, full backup first.</summary>
    public IReadOnlyList<string> RestoreLocations() => RestoreFrom?.Chain().Select(b => b.Location).OfType<string>().ToList() ?? [];

    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);
}

public static class InstanceCommands
{
    /// <summary><paramref name="FromPool"/>: the pool's server this create claimed (its id is the instance's); the
    /// instance makes no server of its own, and its guest applies the prepare on the running engine.</summary>
    public sealed record Create(string InstanceId, InstanceRequest Request, Compute.Server? FromPool = null) : IWithInstanceId, ITroveMessage;
    public sealed record Get(string InstanceId, string TenantId) : IWithInstanceId, ITroveMessage;
    /// <summary>Admin (trove-admin instance show): the entity's state whatever its tenant, and what it holds in memory.</summary>
    public sealed record Inspect(string InstanceId) : IWithInstanceId, ITroveMessage;
    public sealed record Delete(string InstanceId, string TenantId) : IWithInstanceId, ITroveMessage;

    /// <summary>A guest's heartbeat, as the conductor received it. <paramref name="Sent"/> is the guest's clock.</summary>
    public sealed record ReportHeartbeat(string InstanceId, string ServiceStatus, DateTimeOffset Sent, string? Fault = null, double? VolumeUsed = null,
        double? ReplicationLag = null)
        : IWithInstanceId, ITroveMessage;

    /// <summary>The generic tunnel of earlier releases, still answered for an api node of one during a rolling
    /// upgrade; this release sends the typed <see cref="IGuestCommand"/>s.</summary>
    public sealed record CallGuest(string InstanceId, string TenantId, RpcMessage Message) : IWithInstanceId, ITroveMessage;

    /// <summary>A guest operation on a running instance's databases or users: the entity checks the tenant and the
    /// instance's state, then calls its guest (see <see cref="GuestOperations"/>); it keeps nothing of it.</summary>
    public interface IGuestCommand : IWithInstanceId, ITroveMessage
    {
        string TenantId { get; }
    }

    public sealed record CreateDatabases(string InstanceId, string TenantId, IReadOnlyList<DatabaseSpec> Databases) : IGuestCommand;
    public sealed record DeleteDatabase(string InstanceId, string TenantId, string Name) : IGuestCommand;
    public sealed record ListDatabases(string InstanceId, string TenantId) : IGuestCommand;
    public sealed record CreateUsers(string InstanceId, string TenantId, IReadOnlyList<UserSpec> Users) : IGuestCommand
    {
        private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);
    }
    public sealed record DeleteUser(string InstanceId, string TenantId, string Name, string? Host) : IGuestCommand;
    public sealed record ListUsers(string InstanceId, string TenantId) : IGuestCommand;
    /// <summary>Changes one or more users (a rename, a password, a host), one guest call each, in order.</summary>
    public sealed record UpdateUsers(string InstanceId, string TenantId, IReadOnlyList<UpdateAttributesArgs> Updates) : IGuestCommand
    {
        private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);
    }
    public sealed record GrantAccess(string InstanceId, string TenantId, string User, string? Host, IReadOnlyList<string> Databases) : IGuestCommand;
    public sealed record RevokeAccess(string InstanceId, string TenantId, string User, string? Host, string Database) : IGuestCommand;
    /// <summary>The engine's effective configuration values (upstream's <c>GET /instances/{id}/configuration</c>).</summary>
    public sealed record GetConfiguration(string InstanceId, string TenantId) : IGuestCommand;
    /// <summary>Admin (upstream's mgmt <c>stop</c>): the guest stops the engine and reports it shut down; a restart starts it.</summary>
    public sealed record StopDatabase(string InstanceId, string TenantId) : IGuestCommand;

    /// <summary>The engine's logs (upstream's guest logs), as the guest sees them.</summary>
    public sealed record ListGuestLogs(string InstanceId, string TenantId) : IGuestCommand;
    /// <summary>Turns a log on (<paramref name="Enable"/> true) or off, or (null) leaves it; answers the log, and with
    /// <paramref name="Read"/> its text too (<see cref="InstanceReplies.GuestLogRead"/>), which the API publishes.</summary>
    public sealed record SetGuestLog(string InstanceId, string TenantId, string Name, bool? Enable, bool Read = false) : IGuestCommand;

    /// <summary>Admin (upstream's mgmt <c>rpc_ping</c>): whether the instance's guest answers a call, whatever its task;
    /// answered <see cref="InstanceReplies.GuestDone"/>, or the failure that says why not.</summary>
    public sealed record PingGuest(string InstanceId, string TenantId) : IWithInstanceId, ITroveMessage;

    public sealed record EnableRoot(string InstanceId, string TenantId, string? Password) : IWithInstanceId, ITroveMessage
    {
        private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);
    }
    public sealed record DisableRoot(string InstanceId, string TenantId) : IWithInstanceId, ITroveMessage;
    /// <summary>Restarts the engine, or with <paramref name="RebootServer"/> (the operator's reboot) the whole server.</summary>
    public sealed record Restart(string InstanceId, string TenantId, bool RebootServer = false) : IWithInstanceId, ITroveMessage;
    public sealed record Rename(string InstanceId, string TenantId, string Name) : IWithInstanceId, ITroveMessage;
    /// <summary>Starts the entity, which resumes its work in progress; sent by the <see cref="Trove.Actors.ReadModel.WorkResumer"/>.</summary>
    public sealed record Wake(string InstanceId) : IWithInstanceId, ITroveMessage;
    /// <summary>Marks the instance as being backed up (upstream shows status BACKUP); refused while it is busy.</summary>
    public sealed record StartBackup(string InstanceId, string TenantId, string BackupId) : IWithInstanceId, ITroveMessage;
    /// <summary>The backup entity says the backup ended; idempotent.</summary>
    public sealed record EndBackup(string InstanceId, string BackupId) : IWithInstanceId, ITroveMessage;

    /// <summary>Applies a configuration group's values: the guest writes them into the engine's overrides and reloads;
    /// values that need a restart leave the instance RESTART_REQUIRED.</summary>
    /// <paramref name="Revision"/>: the group's version (its update time) these values are, so that a roll-out
    /// repeated after a crash knows which instances have them already.
    public sealed record AttachConfiguration(string InstanceId, string TenantId, string ConfigurationId,
        IReadOnlyDictionary<string, string> Overrides, bool RestartRequired, long? Revision = null) : IWithInstanceId, ITroveMessage;
    public sealed record DetachConfiguration(string InstanceId, string TenantId, bool RestartRequired) : IWithInstanceId, ITroveMessage;

    /// <summary>upstream's <c>PUT /instances/{id}</c> with <c>access</c>: the guest applies the networks to its engine's
    /// host rules first; the change is journaled once it did.</summary>
    public sealed record SetAccess(string InstanceId, string TenantId, InstanceAccess Access) : IWithInstanceId, ITroveMessage;

    /// <summary>The API's attach (a group's id) or detach (null) of a configuration group, in one ask: the entity reads the
    /// group itself (<see cref="IConfigurationGroups"/>), checks that it fits, journals the change, has its guest apply
    /// it and journals that it did (<see cref="ConfigurationEvents"/>). Earlier releases' API sent
    /// <see cref="AttachConfiguration"/> and <see cref="DetachConfiguration"/> after asking for the state.</summary>
    public sealed record SetConfiguration(string InstanceId, string TenantId, string? ConfigurationId) : IWithInstanceId, ITroveMessage;

    /// <summary>Grows the volume or changes the flavor (with its memory); a null keeps what the instance has (earlier
    /// releases sent every value). The entity takes the growth from its tenant's quota first; shows RESIZE while it runs.</summary>
    public sealed record Resize(string InstanceId, string TenantId, int? VolumeSize, string? FlavorId, int? RamMb) : IWithInstanceId, ITroveMessage
    {
        public static Resize Grow(string instanceId, string tenantId, int volumeSize) => new(instanceId, tenantId, volumeSize, null, null);
        public static Resize ToFlavor(string instanceId, string tenantId, string flavorId, int ramMb) => new(instanceId, tenantId, null, flavorId, ramMb);
    }

    /// <summary>Admin: clears a stuck task, as upstream's reset_status.</summary>
    public sealed record ResetStatus(string InstanceId, string TenantId) : IWithInstanceId, ITroveMessage;

    /// <summary>A new replica's entity asks its source (<paramref name="InstanceId"/>): the source's guest makes the
    /// replica's role and slot, the source journals the replica, and answers <see cref="InstanceReplies.ReplicaSourceReady"/>.</summary>
    public sealed record AttachReplica(string InstanceId, string TenantId, string ReplicaId) : IWithInstanceId, ITroveMessage;

    /// <summary>upstream's detach-replica (<c>PUT /instances/{id}</c> with <c>replica_of: null</c>): the replica's guest
    /// promotes its engine to a writable instance of its own, then its source forgets it; shows DETACH meanwhile.</summary>
    public sealed record DetachReplica(string InstanceId, string TenantId) : IWithInstanceId, ITroveMessage;

    /// <summary>A replica that was deleted, detached or never built: its source forgets it and has its guest drop the
    /// replica's role and slot. Answered <see cref="InstanceReplies.GuestDone"/> whatever the source is now.</summary>
    public sealed record DropReplica(string InstanceId, string ReplicaId) : IWithInstanceId, ITroveMessage;

    /// <summary>upstream's promote_to_replica_source, asked of a replica: its entity asks its source's to hand over
    /// (<see cref="SwitchOver"/>), and answers what the source answered.</summary>
    public sealed record PromoteToReplicaSource(string InstanceId, string TenantId) : IWithInstanceId, ITroveMessage;

    /// <summary>A replica asks its source (<paramref name="InstanceId"/>) to hand over to <paramref name="CandidateId"/>: the
    /// source's entity runs the switchover (<see cref="Promotion"/>).</summary>
    public sealed record SwitchOver(string InstanceId, string TenantId, string CandidateId, string? User = null) : IWithInstanceId, ITroveMessage;

    /// <summary>upstream's eject_replica_source, asked of a source whose guest is gone: its entity has its most advanced
    /// replica promoted and the others follow it (<see cref="Promotion"/>).</summary>
    public sealed record EjectReplicaSource(string InstanceId, string TenantId) : IWithInstanceId, ITroveMessage;

    /// <summary>The source running a promotion asks each member of its replica set to show the task (PROMOTE, EJECT) until
    /// it ends; answered <see cref="InstanceReplies.GuestDone"/>, or why not.</summary>
    public sealed record JoinPromotion(string InstanceId, string SourceId, string Kind) : IWithInstanceId, ITroveMessage;

    /// <summary>The promotion of <paramref name="SourceId"/> ended: the member follows <paramref name="ReplicaOf"/> (none: it is
    /// the source) and lists <paramref name="Replicas"/>; with <paramref name="Fault"/>, it could not be moved. Idempotent.</summary>
    public sealed record ChangeReplicaSet(string InstanceId, string SourceId, string? ReplicaOf, IReadOnlyList<string> Replicas, string? Fault = null)
        : IWithInstanceId, ITroveMessage;
}

/// <summary>Every answer of the instance entity: asked with <c>Ask&lt;InstanceReply&gt;</c>.</summary>
public abstract record InstanceReply : ITroveMessage;

public static class InstanceReplies
{
    /// <summary>The instance, and what its volume holds and (a replica) how many seconds it is behind its source, as the
    /// last heartbeat said (kept in memory, not journaled).</summary>
    public sealed record Found(InstanceState State, double? VolumeUsed = null, double? ReplicationLag = null) : InstanceReply;
    public sealed record NotFound(string InstanceId) : InstanceReply;
    /// <summary><paramref name="State"/> is null for an id that was never created; <paramref name="Children"/> is the work running.</summary>
    public sealed record Inspected(InstanceState? State, string Node, double? VolumeUsed, IReadOnlyList<string> Children) : InstanceReply;
    public sealed record Accepted(InstanceState State) : InstanceReply;
    /// <summary>The request cannot be done in the instance's present state (Trove's 422).</summary>
    public sealed record Refused(string Message) : InstanceReply;
    /// <summary>The request is not valid for this instance (Trove's 400), e.g. a resize to what it has already.</summary>
    public sealed record Invalid(string Message) : InstanceReply;
    /// <summary>The request conflicts with work in progress (Trove's 409).</summary>
    public sealed record Conflict(string Message) : InstanceReply;
    /// <summary>The tenant has no configuration group of that id (Trove's 404).</summary>
    public sealed record ConfigurationNotFound(string ConfigurationId) : InstanceReply;
    public sealed record Failed(string Message) : InstanceReply;
    public sealed record GuestResult(JsonNode? Result) : InstanceReply
    {
        protected override bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);
    }
    /// <summary>The guest refused or failed; <paramref name="Kind"/> is one of <see cref="RpcFailureKinds"/>.</summary>
    public sealed record GuestFailed(string Kind, string Message) : InstanceReply;
    public sealed record RootEnabled(RootCredentials Credentials) : InstanceReply;
    public sealed record BackupEndAck : InstanceReply
    {
        public static readonly BackupEndAck Instance = new();
    }

    /// <summary>A restore's backup (or one of its parents) is not the tenant's or does not exist (Trove's 404); nothing was kept.</summary>
    public sealed record BackupNotFound(string BackupId) : InstanceReply;

    /// <summary>The tenant's quota has no room for the instance (Trove's 413); nothing was kept.</summary>
    public sealed record QuotaExceeded(string Message) : InstanceReply;
    public sealed record DatabasesListed(IReadOnlyList<DatabaseSpec> Databases) : InstanceReply;
    public sealed record UsersListed(IReadOnlyList<UserInfo> Users) : InstanceReply;
    public sealed record ConfigurationRead(IReadOnlyDictionary<string, string> Values) : InstanceReply;
    public sealed record GuestLogsListed(IReadOnlyList<GuestLogInfo> Logs) : InstanceReply;
    public sealed record GuestLogRead(GuestLogContents Read) : InstanceReply;
    /// <summary>The guest did what an <see cref="InstanceCommands.IGuestCommand"/> asked.</summary>
    public sealed record GuestDone : InstanceReply
    {
        public static readonly GuestDone Instance = new();
    }

    public sealed record HeartbeatAck : InstanceReply
    {
        public static readonly HeartbeatAck Instance = new();
    }

    /// <summary>The request is not allowed on this instance (Trove's 403), e.g. deleting a source that has replicas.</summary>
    public sealed record Forbidden(string Message) : InstanceReply;

    /// <summary>The source of a new replica, and how the replica's guest connects to it (a secret: never journaled, never logged).</summary>
    public sealed record ReplicaSourceReady(InstanceState Source, ReplicaSource Connection) : InstanceReply
    {
        protected override bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);
    }
}

public static class InstanceEvents
{
    public interface IInstanceEvent : ITroveMessage
    {
        DateTimeOffset At { get; }
    }

    /// <summary>No password here: they went to the guest's durable queue before this was written.</summary>
    public sealed record Created(
        string InstanceId, string TenantId, string Name, string FlavorId, int RamMb, int VolumeSize,
        string Datastore, string DatastoreVersion, IReadOnlyList<DatabaseSpec> Databases, IReadOnlyList<string> UserNames,
        DateTimeOffset At, IReadOnlyList<string>? RestoreFrom = null, string? ConfigurationId = null, long? ConfigurationRevision = null,
        InstanceAccess? Access = null, string? User = null, string? ReplicaOf = null, string? RestoreWalOf = null, bool FromPool = false) : IInstanceEvent;

    public sealed record ServerCreated(string ServerId, string Address, int Port, DateTimeOffset At) : IInstanceEvent;
    /// <summary>The cloud accepted the instance's server, which may still be building (<see cref="Compute.ServerStep"/>).</summary>
    public sealed record ServerAccepted(string ServerId, DateTimeOffset At) : IInstanceEvent;
    public sealed record VolumeMade(string VolumeId, DateTimeOffset At) : IInstanceEvent;
    public sealed record ServiceStatusChanged(string ServiceStatus, DateTimeOffset Sent, DateTimeOffset At) : IInstanceEvent;
    public sealed record BuildCompleted(DateTimeOffset At) : IInstanceEvent;
    public sealed record BuildFailed(string Fault, DateTimeOffset At) : IInstanceEvent;
    public sealed record DeleteRequested(DateTimeOffset At, string? User = null) : IInstanceEvent;
    public sealed record Renamed(string Name, DateTimeOffset At, string? User = null) : IInstanceEvent;
    /// <summary>Root was enabled: upstream's root history, shown as rootEnabled forever after. <paramref name="User"/> is the
    /// engine's superuser; <paramref name="By"/> who asked.</summary>
    public sealed record RootEnabled(string User, DateTimeOffset At, string? By = null) : IInstanceEvent;
    public sealed record RestartStarted(DateTimeOffset At, bool RebootServer = false, string? User = null) : IInstanceEvent;
    public sealed record RestartCompleted(DateTimeOffset At) : IInstanceEvent;
    public sealed record StatusReset(DateTimeOffset At, string? User = null) : IInstanceEvent;
    public sealed record ResizeStarted(int VolumeSize, string FlavorId, int RamMb, DateTimeOffset At, string? User = null) : IInstanceEvent;
    /// <summary>The resize ended: applied, or (with a fault) given up with the old size and flavor kept.</summary>
    public sealed record ResizeCompleted(bool Applied, string? Fault, DateTimeOffset At) : IInstanceEvent;
    public sealed record BackupStarted(string BackupId, DateTimeOffset At, string? User = null) : IInstanceEvent;
    public sealed record ConfigurationAttached(string ConfigurationId, bool RestartRequired, DateTimeOffset At, long? Revision = null, string? User = null) : IInstanceEvent;
    public sealed record ConfigurationDetached(bool RestartRequired, DateTimeOffset At, string? User = null) : IInstanceEvent;
    public sealed record BackupEnded(string BackupId, DateTimeOffset At) : IInstanceEvent;
    /// <summary>The running guest reported a fault (a full volume), or that the one it reported is gone (null).</summary>
    public sealed record GuestFaultChanged(string? Fault, DateTimeOffset At) : IInstanceEvent;
    public sealed record Deleted(DateTimeOffset At) : IInstanceEvent;
    /// <summary>A source's guest made what a new replica streams with; the source lists it from now on.</summary>
    public sealed record ReplicaAttached(string ReplicaId, DateTimeOffset At) : IInstanceEvent;
    /// <summary>The replica is gone from the source's list (deleted, detached, or never built).</summary>
    public sealed record ReplicaDropped(string ReplicaId, DateTimeOffset At) : IInstanceEvent;
    public sealed record DetachStarted(DateTimeOffset At, string? User = null) : IInstanceEvent;
    /// <summary>The detach ended: the instance stands alone, or (with a fault) is still its source's replica.</summary>
    public sealed record DetachCompleted(string? Fault, DateTimeOffset At) : IInstanceEvent;
    /// <summary>A replica source starts a promotion (<see cref="Promotion.Kinds"/>): to <paramref name="CandidateId"/> (a
    /// switchover), or to its most advanced replica (a failover, chosen later); <paramref name="Members"/> are its replicas.</summary>
    public sealed record PromotionStarted(string Kind, string? CandidateId, IReadOnlyList<string> Members, DateTimeOffset At, string? User = null)
        : IInstanceEvent;
    /// <summary>A member shows the task of its source's promotion until it ends.</summary>
    public sealed record PromotionJoined(string SourceId, string Kind, DateTimeOffset At) : IInstanceEvent;
    /// <summary>The source: every member shows the task.</summary>
    public sealed record PromotionMembersJoined(DateTimeOffset At) : IInstanceEvent;
    /// <summary>The source: a failover's new source, the replica that had received the most (a PostgreSQL
    /// <paramref name="Lsn"/>, a MariaDB <paramref name="Gtid"/> position).</summary>
    public sealed record PromotionCandidateChosen(string CandidateId, string? Lsn, DateTimeOffset At, string? Gtid = null) : IInstanceEvent;
    /// <summary>The source: its engine stopped cleanly at <paramref name="Lsn"/> (<paramref name="Gtid"/>) and stays read-only.</summary>
    public sealed record SourceFenced(string? Lsn, DateTimeOffset At, string? Gtid = null) : IInstanceEvent;
    /// <summary>The source: the candidate's engine takes writes; from here on the promotion only goes forward.</summary>
    public sealed record CandidatePromoted(DateTimeOffset At) : IInstanceEvent;
    /// <summary>The source: a member follows the new source (or, with <paramref name="Fault"/>, could not be moved).</summary>
    public sealed record PromotionMemberMoved(string MemberId, string? Fault, DateTimeOffset At) : IInstanceEvent;
    /// <summary>The source: the promotion failed before the candidate took writes; it is rolled back.</summary>
    public sealed record PromotionFailed(string Fault, DateTimeOffset At) : IInstanceEvent;
    /// <summary>A promotion ended for this instance: it follows <paramref name="ReplicaOf"/> (none: a source, or detached)
    /// and lists <paramref name="Replicas"/>; with <paramref name="Fault"/>, its task is the promotion's error.</summary>
    public sealed record ReplicaSetChanged(string? ReplicaOf, IReadOnlyList<string> Replicas, string? Fault, DateTimeOffset At) : IInstanceEvent;
    /// <summary>The guest applied the instance's new access to its engine.</summary>
    public sealed record AccessChanged(InstanceAccess Access, DateTimeOffset At, string? User = null) : IInstanceEvent;
}
