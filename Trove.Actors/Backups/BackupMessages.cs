using Trove.Actors.Serialization;
using Trove.Contracts.Guests;

namespace Trove.Actors.Backups;

public interface IWithBackupId
{
    string BackupId { get; }
}

/// <summary>What a backup is of; <see cref="Parent"/> (with its own parents) makes it incremental.</summary>
public sealed record BackupRequest(
    string TenantId, string InstanceId, string Name, string? Description, string? ParentId,
    string Datastore, string DatastoreVersion, Trove.Contracts.Guests.BackupInfo? Parent = null);

public static class BackupCommands
{
    /// <summary>What a tenant asks: the entity looks the instance and the parent chain up, keeps the backup, marks
    /// the instance as backed up and asks its guest. <paramref name="ParentId"/> makes it incremental;
    /// <paramref name="Incremental"/> without one says the instance has no completed backup to build on.</summary>
    public sealed record Take(string BackupId, string TenantId, string InstanceId, string Name, string? Description, string? ParentId,
        bool Incremental = false) : IWithBackupId, ITroveMessage;
    /// <summary>A COMPLETED backup of the tenant and the chain under it, for a restore or an increment; the entity
    /// walks the chain itself (each link asks its parent).</summary>
    public sealed record GetChain(string BackupId, string TenantId) : IWithBackupId, ITroveMessage;
    /// <summary>An earlier release's create, whose api node marked the instance itself; still answered during a rolling upgrade.</summary>
    public sealed record Create(string BackupId, BackupRequest Request) : IWithBackupId, ITroveMessage;
    public sealed record Get(string BackupId, string TenantId) : IWithBackupId, ITroveMessage;
    /// <summary>Deletes the backup and every incremental backup below it (upstream deletes the whole chain), none if one of
    /// them is still running. <paramref name="Descendants"/>: those the read model knows of, for increments an earlier release
    /// took (their parent did not record them); the entity adds those it recorded itself.</summary>
    public sealed record Delete(string BackupId, string TenantId, IReadOnlyList<string>? Descendants = null) : IWithBackupId, ITroveMessage;
    /// <summary>An increment being taken on this backup (<see cref="BackupId"/>): recorded, so that a delete of this backup
    /// deletes it too, then answered as <see cref="GetChain"/>.</summary>
    public sealed record AddChild(string BackupId, string TenantId, string ChildId) : IWithBackupId, ITroveMessage;
    /// <summary>Starts the entity, which resumes its work in progress; sent by the <see cref="Trove.Actors.ReadModel.WorkResumer"/>.</summary>
    public sealed record Wake(string BackupId) : IWithBackupId, ITroveMessage;

    /// <summary>The guest's <c>update_backup</c>, as the conductor received it (from the guest of <see cref="InstanceId"/>);
    /// a backup's location is the storage's, never a report's. <paramref name="Fault"/>: why it FAILED, when the guest
    /// (or the conductor, of an earlier release: none) said. <paramref name="Etag"/>: the MD5 of what the guest uploaded to
    /// object storage (none from the local storage's guests, or an earlier release's).</summary>
    public sealed record Report(
        string BackupId, string InstanceId, string State, long? Size, string? Checksum, DateTimeOffset Sent, string? Fault = null,
        string? Etag = null)
        : IWithBackupId, ITroveMessage;
}

/// <summary>Every answer of the backup entity: asked with <c>Ask&lt;BackupReply&gt;</c>.</summary>
public abstract record BackupReply : ITroveMessage;

public static class BackupReplies
{
    public sealed record Found(BackupState State) : BackupReply;
    public sealed record NotFound(string BackupId) : BackupReply;
    public sealed record Accepted(BackupState State) : BackupReply;
    public sealed record Refused(string Message) : BackupReply;
    /// <summary>A backup (a parent) is not COMPLETED, or the instance is being backed up already (Trove's 409).</summary>
    public sealed record Conflict(string Message) : BackupReply;
    /// <summary>The request is wrong: a parent of another instance, an increment the datastore cannot take (400).</summary>
    public sealed record Invalid(string Message) : BackupReply;
    /// <summary>The instance's datastore takes no backups (501).</summary>
    public sealed record NotSupported(string Message) : BackupReply;
    public sealed record InstanceNotFound(string InstanceId) : BackupReply;
    /// <summary>The tenant's <c>backups</c> quota is used up (upstream's QuotaExceeded, 413).</summary>
    public sealed record QuotaExceeded(string Message) : BackupReply;
    public sealed record Failed(string Message) : BackupReply;
    /// <summary>A COMPLETED backup, with its parents (full backup at the bottom), of <paramref name="InstanceId"/>.</summary>
    public sealed record Chain(Trove.Contracts.Guests.BackupInfo Info, string InstanceId, string Datastore, DateTimeOffset? Completed = null) : BackupReply;
    public sealed record ReportAck : BackupReply
    {
        public static readonly ReportAck Instance = new();
    }
}

public static class BackupEvents
{
    public interface IBackupEvent : ITroveMessage
    {
        DateTimeOffset At { get; }
    }

    /// <summary><paramref name="HoldsQuota"/>: the backup takes one of its tenant's <c>backups</c> quota before anything else
    /// (false in an earlier release's events, and for a backup an earlier release's API created).</summary>
    public sealed record Created(string BackupId, BackupRequest Request, DateTimeOffset At, bool HoldsQuota = false, string? User = null) : IBackupEvent;
    /// <summary>A guest's report kept; <paramref name="Fault"/> is why a FAILED one failed (none in an earlier release's events);
    /// <paramref name="Etag"/> is the stored object's ETag, checked on seal (object storage only).</summary>
    public sealed record Progressed(string State, long? Size, string? Checksum, string? Location, DateTimeOffset Sent, DateTimeOffset At,
        string? Fault = null, string? Etag = null) : IBackupEvent;
    public sealed record Failed(string Fault, DateTimeOffset At) : IBackupEvent;
    public sealed record Deleted(DateTimeOffset At, string? User = null) : IBackupEvent;
    /// <summary>The instance heard that its backup ended: nothing is left for this backup to do.</summary>
    public sealed record EndAcknowledged(DateTimeOffset At) : IBackupEvent;
    /// <summary>The instance refused the backup before its guest was asked: nothing was taken, nothing is shown.</summary>
    public sealed record Abandoned(string Reason, DateTimeOffset At) : IBackupEvent;
    /// <summary>The tenant has the quota of this deleted (or abandoned) backup back: nothing is left for it to do.</summary>
    public sealed record QuotaReturned(DateTimeOffset At) : IBackupEvent;
    /// <summary>An increment is being taken on this backup: a delete of this backup deletes it too.</summary>
    public sealed record ChildAdded(string ChildId, DateTimeOffset At, string? User = null) : IBackupEvent;
}
