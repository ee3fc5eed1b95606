using Trove.Contracts.Datastores;
using Trove.Actors.Instances;
using Trove.Contracts.Guests;
using static Trove.Actors.Backups.BackupCommands;

namespace Trove.Actors.Backups;

/// <summary>The backup's rules as pure functions; the entity only asks, persists and replies.</summary>
public static class BackupDecisions
{
    /// <summary>Null when a backup of this instance can be taken as asked; else the refusal. What each datastore can
    /// do is its profile's to say.</summary>
    public static BackupReply? CheckInstance(InstanceReply instance, Take take) => instance switch
    {
        InstanceReplies.Found { State: var s } when Lacks(s.Datastore, DatastoreCapability.Backups) is { } why =>
            new BackupReplies.NotSupported(why),
        InstanceReplies.Found { State: var s } when (take.ParentId is not null || take.Incremental)
            && Lacks(s.Datastore, DatastoreCapability.IncrementalBackups) is { } why =>
            new BackupReplies.Invalid(why),
        InstanceReplies.Found when take is { Incremental: true, ParentId: null } =>
            new BackupReplies.Invalid($"Instance {take.InstanceId} has no completed backup to take an increment from."),
        InstanceReplies.Found => null,
        InstanceReplies.NotFound => new BackupReplies.InstanceNotFound(take.InstanceId),
        var other => new BackupReplies.Failed($"Instance {take.InstanceId} could not be looked up: {other.GetType().Name}."),
    };

    private static string? Lacks(string datastore, DatastoreCapability capability) =>
        DatastoreProfiles.Find(datastore) is { } profile ? profile.Lacks(capability) : $"Datastore '{datastore}' has no guest manager here.";

    /// <summary>Null when the parent chain fits the backup; else the refusal.</summary>
    public static BackupReply? CheckParent(BackupReply parent, Take take) => parent switch
    {
        BackupReplies.Chain c when c.InstanceId != take.InstanceId =>
            new BackupReplies.Invalid($"Backup {take.ParentId} is not of instance {take.InstanceId}."),
        BackupReplies.Chain => null,
        BackupReplies.NotFound nf => new BackupReplies.NotFound(nf.BackupId),
        var refusal => refusal,
    };

    public static BackupRequest Request(Take take, InstanceState instance, BackupInfo? parent) =>
        new(take.TenantId, take.InstanceId, take.Name, take.Description, take.ParentId, instance.Datastore, instance.DatastoreVersion, parent);

    /// <summary>One link of a chain: refused when the backup is not the tenant's or not COMPLETED; else the link
    /// made of this backup and the chain under it (<paramref name="parent"/>, null for a full backup).</summary>
    public static BackupReply Link(BackupState? state, GetChain get, BackupInfo? parent) =>
        state is null || !state.BelongsTo(get.TenantId) ? new BackupReplies.NotFound(get.BackupId)
        : state.Status != BackupStatus.Completed
            ? new BackupReplies.Conflict($"Backup {get.BackupId} is {state.Status}; only a COMPLETED backup can be used.")
        : new BackupReplies.Chain(new BackupInfo(state.Id, state.Location, state.Checksum, parent), state.InstanceId, state.Datastore, state.Updated);

    /// <summary>What a restore makes of a backup's chain: the chain, or the instance's refusal saying what the API said
    /// of the backup's (404 for a backup missing or of another tenant, 409 for one not COMPLETED).</summary>
    public static RestorePoint RestorePointOf(BackupReply chain) => chain switch
    {
        BackupReplies.Chain c => new RestorePoint.Found(c.Info, c.Datastore, c.InstanceId, c.Completed),
        BackupReplies.NotFound nf => new RestorePoint.Refused(new InstanceReplies.BackupNotFound(nf.BackupId)),
        BackupReplies.InstanceNotFound nf => new RestorePoint.Refused(new InstanceReplies.NotFound(nf.InstanceId)),
        BackupReplies.Conflict c => new RestorePoint.Refused(new InstanceReplies.Conflict(c.Message)),
        BackupReplies.Refused r => new RestorePoint.Refused(new InstanceReplies.Refused(r.Message)),
        BackupReplies.Invalid i => new RestorePoint.Refused(new InstanceReplies.Invalid(i.Message)),
        BackupReplies.Failed f => new RestorePoint.Refused(new InstanceReplies.Failed(f.Message)),
        var other => new RestorePoint.Refused(new InstanceReplies.Failed($"Unexpected reply {other.GetType().Name}.")),
    };

    /// <summary>What the instance's answer to StartBackup means: go on (null), a definite refusal (the instance did
    /// not mark the backup: it is abandoned), or no answer (it may have: the backup fails and the instance hears its end).</summary>
    public static BackupReply? Started(InstanceReply reply) => reply switch
    {
        InstanceReplies.Accepted => null,
        InstanceReplies.NotFound nf => new BackupReplies.InstanceNotFound(nf.InstanceId),
        InstanceReplies.Refused r => new BackupReplies.Refused(r.Message),
        InstanceReplies.Conflict c => new BackupReplies.Conflict(c.Message),
        InstanceReplies.Failed f => new BackupReplies.Failed(f.Message),
        var other => new BackupReplies.Failed($"The instance answered {other.GetType().Name}."),
    };

    /// <summary>What a refusal says, for a fault or a log.</summary>
    public static string MessageOf(BackupReply reply) => reply switch
    {
        BackupReplies.InstanceNotFound nf => $"Instance {nf.InstanceId} cannot be found.",
        BackupReplies.NotFound nf => $"Backup {nf.BackupId} cannot be found.",
        BackupReplies.Refused r => r.Message,
        BackupReplies.Conflict c => c.Message,
        BackupReplies.Invalid i => i.Message,
        BackupReplies.NotSupported n => n.Message,
        BackupReplies.Failed f => f.Message,
        BackupReplies.QuotaExceeded q => q.Message,
        var other => other.GetType().Name,
    };

    public static bool IsDefiniteRefusal(BackupReply reply) =>
        reply is BackupReplies.InstanceNotFound or BackupReplies.Refused or BackupReplies.Conflict;

    /// <summary>Whether a guest's report moves the backup on; a stale one, one for another instance, or one after the end does not.</summary>
    public static bool Moves(BackupState? state, Report report) =>
        state is { IsDeleted: false, IsRunning: true } && report.InstanceId == state.InstanceId
        && !(state.LastReportSent is { } last && report.Sent < last)
        && report.State is BackupStatus.Building or BackupStatus.Completed or BackupStatus.Failed;
}
