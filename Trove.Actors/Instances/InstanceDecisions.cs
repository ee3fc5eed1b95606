using Trove.Contracts.Datastores;
using Trove.Contracts.Guests;

using static Trove.Actors.Instances.InstanceEvents;

namespace Trove.Actors.Instances;

/// <summary>What a command decides: the reply for the sender and the events to persist before replying.</summary>
public sealed record Decision(InstanceReply? Reply, IReadOnlyList<IInstanceEvent> Events)
{
    public static Decision Answer(InstanceReply reply, params IInstanceEvent[] events) => new(reply, events);
    public static Decision Silent(params IInstanceEvent[] events) => new(null, events);
}

/// <summary>The instance's business rules as pure functions of its state; the entity only persists and replies.</summary>
public static class InstanceDecisions
{
    public static Decision Create(InstanceState? state, InstanceCommands.Create cmd, DateTimeOffset now)
    {
        if (state is not null)
            return Decision.Answer(new InstanceReplies.Refused($"Instance {cmd.InstanceId} already exists."));
        var r = cmd.Request;
        var created = new Created(cmd.InstanceId, r.TenantId, r.Name, r.FlavorId, r.RamMb, r.VolumeSize, r.Datastore, r.DatastoreVersion,
            r.Databases, r.Users.Select(u => u.Name).ToList(), now, r.RestoreLocations(), r.Configuration?.Id, r.Configuration?.Revision,
            r.Access, r.User, r.ReplicaOf, r.RestoreWalOf, cmd.FromPool is not null);
        var accepted = new InstanceReplies.Accepted(InstanceState.Apply(null, created));
        // a pool's server, running already, is the instance's in the same write, not one write later
        return cmd.FromPool is { } pooled
            ? Decision.Answer(accepted, created, new InstanceEvents.ServerCreated(pooled.Id, pooled.Address, pooled.Port, now))
            : Decision.Answer(accepted, created);
    }

    /// <summary>A restore's create with the chain of its backup (kept in its <see cref="Created"/> event) and, for a datastore
    /// with point-in-time recovery, the backup's instance, whose archived WAL is replayed; or why not: the backup's refusal, a
    /// backup of another datastore, a restore_time before the backup completed or for a datastore without the recovery.</summary>
    public static (InstanceCommands.Create? Create, InstanceReply? Refusal) Restore(InstanceCommands.Create cmd, RestorePoint point) => point switch
    {
        RestorePoint.Found found when found.Datastore != cmd.Request.Datastore => (null, new InstanceReplies.Invalid(
            $"Backup {cmd.Request.RestoreBackupId} is of {found.Datastore}; it cannot be restored into {cmd.Request.Datastore}.")),
        RestorePoint.Found found when cmd.Request.RestoreTime is not null
            && DatastoreProfiles.Of(found.Datastore).Lacks(DatastoreCapability.PointInTimeRecovery) is { } why => (null, new InstanceReplies.Invalid(why)),
        RestorePoint.Found { WalArchived: false } when cmd.Request.RestoreTime is not null => (null, new InstanceReplies.Invalid(
            $"Backup {cmd.Request.RestoreBackupId}'s instance has no WAL archive to recover to a time from; restore it without restore_time.")),
        RestorePoint.Found found when cmd.Request.RestoreTime < found.Completed => (null, new InstanceReplies.Invalid(
            $"restore_time {cmd.Request.RestoreTime:O} is before backup {cmd.Request.RestoreBackupId} completed ({found.Completed:O}).")),
        RestorePoint.Found found => (cmd with
        {
            Request = cmd.Request with
            {
                RestoreFrom = found.Chain,
                RestoreWalOf = DatastoreProfiles.Of(found.Datastore).Supports(DatastoreCapability.PointInTimeRecovery) ? found.InstanceId : null,
                RestoreWalUri = DatastoreProfiles.Of(found.Datastore).Supports(DatastoreCapability.PointInTimeRecovery) ? found.WalUri : null,
            },
        }, null),
        RestorePoint.Refused refused => (null, refused.Reply),
        _ => throw new InvalidOperationException($"unknown restore point {point.GetType().Name}"),
    };

    /// <summary>A create naming a configuration group, with the group it applies at prepare (its id and revision kept in
    /// its <see cref="Created"/> event), or why not: a group the tenant does not have, or of another datastore or version.</summary>
    public static (InstanceCommands.Create? Create, InstanceReply? Refusal) WithConfiguration(InstanceCommands.Create cmd, ConfigurationGroup? group)
    {
        var r = cmd.Request;
        if (group is null)
            return (null, new InstanceReplies.ConfigurationNotFound(r.ConfigurationId!));
        if (group.Datastore != r.Datastore || group.DatastoreVersion != r.DatastoreVersion)
            return (null, new InstanceReplies.Invalid(
                $"Configuration group {group.Id} is for {group.Datastore} {group.DatastoreVersion}, not for {r.Datastore} {r.DatastoreVersion}."));
        return (cmd with { Request = r with { Configuration = group } }, null);
    }

    public static Decision Get(InstanceState? state, InstanceCommands.Get cmd) =>
        state is not null && state.BelongsTo(cmd.TenantId)
            ? Decision.Answer(new InstanceReplies.Found(state))
            : Decision.Answer(new InstanceReplies.NotFound(cmd.InstanceId));

    /// <summary>Delete is accepted in any state, a build in progress included: a stuck build must be removable.</summary>
    public static Decision Delete(InstanceState? state, InstanceCommands.Delete cmd, DateTimeOffset now)
    {
        if (state is null || !state.BelongsTo(cmd.TenantId))
            return Decision.Answer(new InstanceReplies.NotFound(cmd.InstanceId));
        if (state.Task == InstanceTask.Deleting)
            return Decision.Answer(new InstanceReplies.Accepted(state));
        if (state.Task is InstanceTask.Promoting or InstanceTask.Ejecting)
            return Decision.Answer(new InstanceReplies.Refused($"Instance {cmd.InstanceId} is part of a replica set changing its source; wait until it is done."));
        if (ReplicationDecisions.CanDelete(state) is { } forbidden)
            return Decision.Answer(forbidden);
        var requested = new DeleteRequested(now);
        return Decision.Answer(new InstanceReplies.Accepted(InstanceState.Apply(state, requested)), requested);
    }

    /// <summary>
    /// Persists a change of the reported status or fault, never a repeat; a heartbeat older than the last one seen is
    /// dropped. During a build, the first healthy (or running) report completes it and a failed one fails it (its
    /// fault is the build's); after it, the fault is the running guest's (a full volume) until a report without it.
    /// </summary>
    public static Decision Heartbeat(InstanceState? state, InstanceCommands.ReportHeartbeat hb, DateTimeOffset? lastSent, DateTimeOffset now)
    {
        if (state is null || state.IsDeleted || state.Task is InstanceTask.Deleting or InstanceTask.BuildError)
            return Decision.Silent();
        if (lastSent is { } last && hb.Sent < last)
            return Decision.Silent();

        var events = new List<IInstanceEvent>();
        if (hb.ServiceStatus != state.ServiceStatus)
            events.Add(new ServiceStatusChanged(hb.ServiceStatus, hb.Sent, now));
        if (state.Task == InstanceTask.Building)
        {
            if (hb.ServiceStatus is ServiceStatusNames.Healthy or ServiceStatusNames.Running)
                events.Add(new BuildCompleted(now));
            else if (hb.ServiceStatus == ServiceStatusNames.Failed)
                events.Add(new BuildFailed(hb.Fault is null
                    ? "The guest failed to prepare the datastore; see the guest's log."
                    : $"The guest failed to prepare the datastore: {hb.Fault}", now));
        }
        else if (hb.Fault != state.GuestFault)
            events.Add(new GuestFaultChanged(hb.Fault, now));
        return new Decision(null, events);
    }

    /// <summary>Kept whenever the server is not known yet: a resumed build's guest may report healthy before its driver answers.
    /// A server made for an instance deleted meanwhile is only accepted: its deletion, which waits for the build, removes it.</summary>
    public static Decision ServerCreated(InstanceState? state, string serverId, string address, int port, DateTimeOffset now) => state switch
    {
        { ServerId: null, IsDeleted: false, Task: InstanceTask.Deleting } => ServerAccepted(state, serverId, now),
        { ServerId: null, IsDeleted: false } => Decision.Silent(new InstanceEvents.ServerCreated(serverId, address, port, now)),
        _ => Decision.Silent(),
    };

    /// <summary>Kept while the instance exists: a deleting instance's deletion starts only once its build has ended, and
    /// removes what the build made.</summary>
    public static Decision ServerAccepted(InstanceState? state, string serverId, DateTimeOffset now) =>
        state is { IsDeleted: false } && state.AcceptedServerId != serverId
            ? Decision.Silent(new InstanceEvents.ServerAccepted(serverId, now))
            : Decision.Silent();

    public static Decision VolumeMade(InstanceState? state, string volumeId, DateTimeOffset now) =>
        state is { IsDeleted: false } && state.VolumeId != volumeId
            ? Decision.Silent(new InstanceEvents.VolumeMade(volumeId, now))
            : Decision.Silent();

    public static Decision BuildFailed(InstanceState? state, string fault, DateTimeOffset now) =>
        state is { Task: InstanceTask.Building }
            ? Decision.Silent(new InstanceEvents.BuildFailed(fault, now))
            : Decision.Silent();

    /// <summary>No heartbeat within the expiry: the guest is reported in error, as upstream's FAILED_TIMEOUT_GUESTAGENT.</summary>
    public static Decision HeartbeatExpired(InstanceState? state, DateTimeOffset now) =>
        state is { Task: InstanceTask.None, IsDeleted: false } && state.ServiceStatus != ServiceStatusNames.FailedTimeoutGuestAgent
            ? Decision.Silent(new ServiceStatusChanged(ServiceStatusNames.FailedTimeoutGuestAgent, state.ServiceStatusSent ?? now, now))
            : Decision.Silent();

    public static Decision DeleteCompleted(InstanceState? state, DateTimeOffset now) =>
        state is { Task: InstanceTask.Deleting, IsDeleted: false } ? Decision.Silent(new Deleted(now)) : Decision.Silent();

    /// <summary>Null when the tenant may act on the instance now; else the reply that says why not (404, or 422 as upstream).</summary>
    public static InstanceReply? Guard(InstanceState? state, string instanceId, string tenantId) =>
        state is null || !state.BelongsTo(tenantId) ? new InstanceReplies.NotFound(instanceId)
        : state.CanPerformAction ? null
        : new InstanceReplies.Refused(
            $"Instance {instanceId} is not currently available for an action to be performed (status was {state.Status}).");

    public static Decision Restart(InstanceState? state, InstanceCommands.Restart cmd, DateTimeOffset now)
    {
        if (Guard(state, cmd.InstanceId, cmd.TenantId) is { } refusal)
            return Decision.Answer(refusal);
        var started = new RestartStarted(now, cmd.RebootServer);
        return Decision.Answer(new InstanceReplies.Accepted(InstanceState.Apply(state, started)), started);
    }

    public static Decision RestartFinished(InstanceState? state, DateTimeOffset now) =>
        state is { Task: InstanceTask.Rebooting } ? Decision.Silent(new RestartCompleted(now)) : Decision.Silent();

    public static Decision Rename(InstanceState? state, InstanceCommands.Rename cmd, DateTimeOffset now)
    {
        if (state is null || !state.BelongsTo(cmd.TenantId))
            return Decision.Answer(new InstanceReplies.NotFound(cmd.InstanceId));
        var renamed = new Renamed(cmd.Name, now);
        return Decision.Answer(new InstanceReplies.Accepted(InstanceState.Apply(state, renamed)), renamed);
    }

    public static Decision ResetStatus(InstanceState? state, InstanceCommands.ResetStatus cmd, DateTimeOffset now)
    {
        if (state is null || !state.BelongsTo(cmd.TenantId))
            return Decision.Answer(new InstanceReplies.NotFound(cmd.InstanceId));
        if (state.Task == InstanceTask.Deleting)
            return Decision.Answer(new InstanceReplies.Refused($"Instance {cmd.InstanceId} is being deleted."));
        var reset = new StatusReset(now);
        return Decision.Answer(new InstanceReplies.Accepted(InstanceState.Apply(state, reset)), reset);
    }

    /// <summary>One backup at a time (asked again by the same backup, it is accepted again), on an instance that can act (upstream answers 409 to a second one; we say 422 with why).</summary>
    public static Decision StartBackup(InstanceState? state, InstanceCommands.StartBackup cmd, DateTimeOffset now)
    {
        if (state is { RunningBackupId: { } same } && same == cmd.BackupId && state.BelongsTo(cmd.TenantId))
            return Decision.Answer(new InstanceReplies.Accepted(state)); // the backup entity asks again after a crash
        if (state is { RunningBackupId: { } running } && state.BelongsTo(cmd.TenantId))
            return Decision.Answer(new InstanceReplies.Conflict($"Instance {cmd.InstanceId} is already being backed up by backup {running}."));
        if (Guard(state, cmd.InstanceId, cmd.TenantId) is { } refusal)
            return Decision.Answer(refusal);
        var started = new BackupStarted(cmd.BackupId, now);
        return Decision.Answer(new InstanceReplies.Accepted(InstanceState.Apply(state, started)), started);
    }

    public static Decision EndBackup(InstanceState? state, InstanceCommands.EndBackup cmd, DateTimeOffset now) =>
        state is { RunningBackupId: { } running } && running == cmd.BackupId
            ? Decision.Answer(InstanceReplies.BackupEndAck.Instance, new BackupEnded(cmd.BackupId, now))
            : Decision.Answer(InstanceReplies.BackupEndAck.Instance);

    /// <summary>A bigger volume or another flavor (a value not given, or the one the instance has, stays): refused when it
    /// changes nothing or shrinks the volume, or the instance cannot act now. Accepted, its start is persisted only once
    /// the tenant's quota took the growth (the entity asks).</summary>
    public static Decision Resize(InstanceState? state, InstanceCommands.Resize cmd, DateTimeOffset now)
    {
        if (state is null || !state.BelongsTo(cmd.TenantId))
            return Decision.Answer(new InstanceReplies.NotFound(cmd.InstanceId));
        var (volume, flavor, ram) = (cmd.VolumeSize ?? state.VolumeSize, cmd.FlavorId ?? state.FlavorId, cmd.RamMb ?? state.RamMb);
        if (volume < state.VolumeSize || (cmd.FlavorId is null && volume == state.VolumeSize))
            return Decision.Answer(new InstanceReplies.Invalid(
                $"The new volume size must be a whole number of GB larger than the current {state.VolumeSize}."));
        if (flavor == state.FlavorId && volume == state.VolumeSize)
            return Decision.Answer(new InstanceReplies.Invalid($"The instance already has flavor '{flavor}'."));
        if (Guard(state, cmd.InstanceId, cmd.TenantId) is { } refusal)
            return Decision.Answer(refusal);
        var started = new ResizeStarted(volume, flavor, ram, now);
        return Decision.Answer(new InstanceReplies.Accepted(InstanceState.Apply(state, started)), started);
    }

    /// <summary>Whether the tenant may attach a group (none attached) or detach the attached one, before the group is
    /// read: null when it may, else the reply that says why not. One change at a time.</summary>
    public static InstanceReply? SetConfiguration(InstanceState? state, InstanceCommands.SetConfiguration cmd, bool changeUnderWay) =>
        state is null || !state.BelongsTo(cmd.TenantId) ? new InstanceReplies.NotFound(cmd.InstanceId)
        : changeUnderWay ? new InstanceReplies.Conflict($"A configuration change of instance {cmd.InstanceId} is under way.")
        : (cmd.ConfigurationId, state.ConfigurationId) switch
        {
            (null, null) => new InstanceReplies.Invalid($"Instance {cmd.InstanceId} has no configuration group to detach."),
            ({ }, { } attached) => new InstanceReplies.Invalid(
                $"Instance {cmd.InstanceId} already has configuration group {attached}; detach it first."),
            _ => null,
        };

    /// <summary>The change to journal once the group is read (for a detach, the attached group, null when it was deleted
    /// since), or the reply that refuses it: a group the tenant does not have, or of another datastore or version, or an
    /// instance that cannot act now.</summary>
    public static (InstanceReply? Refusal, ConfigurationEvents.Requested? Change) ConfigurationChange(InstanceState state,
        InstanceCommands.SetConfiguration cmd, ConfigurationGroup? group, DateTimeOffset now)
    {
        if (cmd.ConfigurationId is { } id)
        {
            if (group is null)
                return (new InstanceReplies.ConfigurationNotFound(id), null);
            if (group.Datastore != state.Datastore || group.DatastoreVersion != state.DatastoreVersion)
                return (new InstanceReplies.Invalid($"Configuration group {id} is for {group.Datastore} {group.DatastoreVersion}, not for this instance's {state.Datastore} {state.DatastoreVersion}."), null);
        }
        if (Guard(state, cmd.InstanceId, cmd.TenantId) is { } refusal)
            return (refusal, null);
        return cmd.ConfigurationId is null
            ? (null, new ConfigurationEvents.Requested(null, new Dictionary<string, string>(), group?.RestartRequired ?? false, null, now))
            : (null, new ConfigurationEvents.Requested(group!.Id, group.Overrides, group.RestartRequired, group.Revision, now));
    }

    public static Decision ResizeFinished(InstanceState? state, string? failure, DateTimeOffset now) =>
        state is { Task: InstanceTask.Resizing }
            ? Decision.Silent(new ResizeCompleted(failure is null, failure is null ? null : $"The resize failed: {failure}", now))
            : Decision.Silent();
}
