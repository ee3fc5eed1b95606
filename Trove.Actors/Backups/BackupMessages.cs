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
    public sealed record Delete(string BackupId, string TenantId) : IWithBackupId, ITroveMessage;
    /// <summary>Starts the entity, which resumes its work in progress; sent by the <see cref="Trove.Actors.ReadModel.WorkResumer"/>.</summary>
    public sealed record Wake(string BackupId) : IWithBackupId, ITroveMessage;

    /// <summary>The guest's <c>update_backup</c>, as the conductor received it (from the guest of <see cref="InstanceId"/>);
    /// a backup's location is the storage's, never a report's. <paramref name="Fault"/>: why it FAILED, when the guest
    /// (or the conductor, of an earlier release: none) said.</summary>
    public sealed record Report(
        string BackupId, string InstanceId, string State, long? Size, string? Checksum, DateTimeOffset Sent, string? Fault = null)
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
    public sealed record Failed(string Message) : BackupReply;
    /// <summary>A COMPLETED backup, with its parents (full backup at the bottom), of <paramref name="InstanceId"/>.</summary>
    public sealed record Chain(Trove.Contracts.Guests.BackupInfo Info, string InstanceId, string Datastore) : BackupReply;
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

    public sealed record Created(string BackupId, BackupRequest Request, DateTimeOffset At) : IBackupEvent;
    /// <summary>A guest's report kept; <paramref name="Fault"/> is why a FAILED one failed (none in an earlier release's events).</summary>
    public sealed record Progressed(string State, long? Size, string? Checksum, string? Location, DateTimeOffset Sent, DateTimeOffset At,
        string? Fault = null) : IBackupEvent;
    public sealed record Failed(string Fault, DateTimeOffset At) : IBackupEvent;
    public sealed record Deleted(DateTimeOffset At) : IBackupEvent;
    /// <summary>The instance heard that its backup ended: nothing is left for this backup to do.</summary>
    public sealed record EndAcknowledged(DateTimeOffset At) : IBackupEvent;
    /// <summary>The instance refused the backup before its guest was asked: nothing was taken, nothing is shown.</summary>
    public sealed record Abandoned(string Reason, DateTimeOffset At) : IBackupEvent;
}
