using Trove.Contracts.Datastores;
using static Trove.Actors.Instances.InstanceEvents;

namespace Trove.Actors.Instances;

/// <summary>The rules of replicas (upstream's replica_of), on the source's side and the new replica's.</summary>
public static class ReplicationDecisions
{
    /// <summary>Whether <paramref name="source"/> may get a new replica: the tenant's, not a replica itself (403 as
    /// upstream), of a datastore that replicates, and able to act now; null when it may, else the refusal.</summary>
    public static InstanceReply? CanAttach(InstanceState? source, InstanceCommands.AttachReplica cmd) =>
        source is null || !source.BelongsTo(cmd.TenantId) ? new InstanceReplies.NotFound(cmd.InstanceId)
        : source.ReplicaOf is not null ? new InstanceReplies.Forbidden($"Cannot create a replica of a replica {cmd.InstanceId}.")
        : Lacks(source.Datastore) is { } lacks ? new InstanceReplies.Invalid(lacks)
        : InstanceDecisions.Guard(source, cmd.InstanceId, cmd.TenantId);

    private static string? Lacks(string datastore) => DatastoreProfiles.Find(datastore) is { } profile
        ? profile.Lacks(DatastoreCapability.Replication)
        : $"Replication is not supported for the '{datastore}' datastore.";

    /// <summary>The source journals the replica its guest made a slot for (once), and answers how to reach it.</summary>
    public static Decision Attached(InstanceState source, string replicaId, Contracts.Guests.ReplicaSource connection, DateTimeOffset now)
    {
        var reply = new InstanceReplies.ReplicaSourceReady(source, connection);
        return source.ReplicaIds.Contains(replicaId) ? Decision.Answer(reply) : Decision.Answer(reply, new ReplicaAttached(replicaId, now));
    }

    /// <summary>A source forgets a replica it lists; anything else (a deleted source, one that never listed it) has nothing to journal.</summary>
    public static Decision Dropped(InstanceState? source, string replicaId, DateTimeOffset now) =>
        source is { IsDeleted: false } && source.ReplicaIds.Contains(replicaId)
            ? Decision.Answer(InstanceReplies.GuestDone.Instance, new ReplicaDropped(replicaId, now))
            : Decision.Answer(InstanceReplies.GuestDone.Instance);

    /// <summary>A replica's create with what it takes from its source (flavor, volume, datastore and version, as upstream)
    /// and the connection its guest streams with; or the source's refusal.</summary>
    public static (InstanceCommands.Create? Create, InstanceReply? Refusal) AsReplica(InstanceCommands.Create cmd, InstanceReply sourceReply) =>
        sourceReply is InstanceReplies.ReplicaSourceReady { Source: var s } ready
            ? (cmd with
            {
                Request = cmd.Request with
                {
                    FlavorId = s.FlavorId, RamMb = s.RamMb, VolumeSize = s.VolumeSize, Datastore = s.Datastore,
                    DatastoreVersion = s.DatastoreVersion, ReplicaSource = ready.Connection,
                },
            }, null)
            : (null, sourceReply);

    /// <summary>upstream's detach_replica: a replica that can act now (400 for an instance that is not a replica, as upstream).</summary>
    public static Decision Detach(InstanceState? state, InstanceCommands.DetachReplica cmd, DateTimeOffset now)
    {
        if (state is null || !state.BelongsTo(cmd.TenantId))
            return Decision.Answer(new InstanceReplies.NotFound(cmd.InstanceId));
        if (state.ReplicaOf is null)
            return Decision.Answer(new InstanceReplies.Invalid($"Instance {cmd.InstanceId} is not a replica."));
        if (InstanceDecisions.Guard(state, cmd.InstanceId, cmd.TenantId) is { } refusal)
            return Decision.Answer(refusal);
        var started = new DetachStarted(now);
        return Decision.Answer(new InstanceReplies.Accepted(InstanceState.Apply(state, started)), started);
    }

    public static Decision DetachFinished(InstanceState? state, string? failure, DateTimeOffset now) =>
        state is { Task: InstanceTask.Detaching }
            ? Decision.Silent(new DetachCompleted(failure is null ? null : $"The detach failed: {failure}", now))
            : Decision.Silent();

    /// <summary>Upstream's ReplicaSourceDeleteForbidden: a source is deleted once its replicas are detached or deleted.</summary>
    public static InstanceReply? CanDelete(InstanceState state) => state.ReplicaIds.Count > 0
        ? new InstanceReplies.Forbidden("Detach replicas before deleting replica source.")
        : null;

    /// <summary>upstream's promote_to_replica_source, asked of a replica: one that can act now (422), and is a replica (400).</summary>
    public static InstanceReply? CanPromote(InstanceState? state, InstanceCommands.PromoteToReplicaSource cmd) =>
        InstanceDecisions.Guard(state, cmd.InstanceId, cmd.TenantId)
        ?? (state!.ReplicaOf is null ? new InstanceReplies.Invalid($"Instance {cmd.InstanceId} is not a replica.")
            : LacksPromotion(state.Datastore) is { } lacks ? new InstanceReplies.Invalid(lacks) : null);

    private static string? LacksPromotion(string datastore) => DatastoreProfiles.Find(datastore)?.Lacks(DatastoreCapability.Promotion);

    /// <summary>The source starts a switchover to one of its replicas, if it can act now.</summary>
    public static Decision SwitchOver(InstanceState? source, InstanceCommands.SwitchOver cmd, DateTimeOffset now)
    {
        if (source is null || !source.BelongsTo(cmd.TenantId))
            return Decision.Answer(new InstanceReplies.NotFound(cmd.InstanceId));
        if (!source.ReplicaIds.Contains(cmd.CandidateId))
            return Decision.Answer(new InstanceReplies.Invalid($"Instance {cmd.CandidateId} is not a replica of {cmd.InstanceId}."));
        if (InstanceDecisions.Guard(source, cmd.InstanceId, cmd.TenantId) is { } refusal)
            return Decision.Answer(refusal);
        return Started(source, new PromotionStarted(Promotion.Kinds.Switchover, cmd.CandidateId, source.ReplicaIds, now, cmd.User));
    }

    /// <summary>upstream's eject_replica_source: a source with replicas (400 otherwise) whose guest has not been heard of
    /// for the heartbeat expiry (400 "has a current heartbeat" otherwise), and no other task under way.</summary>
    public static Decision Eject(InstanceState? source, InstanceCommands.EjectReplicaSource cmd, DateTimeOffset lastHeard, TimeSpan expiry,
        DateTimeOffset now)
    {
        if (source is null || !source.BelongsTo(cmd.TenantId))
            return Decision.Answer(new InstanceReplies.NotFound(cmd.InstanceId));
        if (source.ReplicaIds.Count == 0)
            return Decision.Answer(new InstanceReplies.Invalid($"Instance {cmd.InstanceId} is not a replica source."));
        if (LacksPromotion(source.Datastore) is { } lacks)
            return Decision.Answer(new InstanceReplies.Invalid(lacks));
        if (source.Task is not (InstanceTask.None or InstanceTask.RestartRequired))
            return Decision.Answer(new InstanceReplies.Refused(
                $"Instance {cmd.InstanceId} is not currently available for an action to be performed (status was {source.Status})."));
        if (now - lastHeard < expiry)
            return Decision.Answer(new InstanceReplies.Invalid($"Replica Source {cmd.InstanceId} cannot be ejected as it has a current heartbeat"));
        return Started(source, new PromotionStarted(Promotion.Kinds.Failover, null, source.ReplicaIds, now));
    }

    private static Decision Started(InstanceState source, PromotionStarted started) =>
        Decision.Answer(new InstanceReplies.Accepted(InstanceState.Apply(source, started)), started);

    /// <summary>A member shows its source's promotion, unless it is busy with something else (then the promotion is rolled
    /// back before anything was done); asked again, it answers the same.</summary>
    public static Decision Join(InstanceState? member, InstanceCommands.JoinPromotion cmd, DateTimeOffset now) =>
        member is null || member.IsDeleted ? Decision.Answer(new InstanceReplies.Refused($"Instance {cmd.InstanceId} is gone."))
        : member.PromotedBy == cmd.SourceId ? Decision.Answer(InstanceReplies.GuestDone.Instance)
        : member.Task is InstanceTask.None or InstanceTask.RestartRequired
            ? Decision.Answer(InstanceReplies.GuestDone.Instance, new PromotionJoined(cmd.SourceId, cmd.Kind, now))
        : Decision.Answer(new InstanceReplies.Refused($"Instance {cmd.InstanceId} is busy (status was {member.Status})."));

    /// <summary>A member of the source's promotion takes its place in the replica set; anything else has nothing to journal.</summary>
    public static Decision ChangeSet(InstanceState? member, InstanceCommands.ChangeReplicaSet cmd, DateTimeOffset now) =>
        member is { IsDeleted: false } && member.PromotedBy == cmd.SourceId
            ? Decision.Answer(InstanceReplies.GuestDone.Instance, new ReplicaSetChanged(cmd.ReplicaOf, cmd.Replicas, cmd.Fault, now))
            : Decision.Answer(InstanceReplies.GuestDone.Instance);
}
