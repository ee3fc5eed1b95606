using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Trove.Actors.Guests;
using Trove.Actors.Sharding;
using Trove.Contracts.Guests;
using static Trove.Actors.Instances.InstanceCommands;
using static Trove.Actors.Instances.InstanceEvents;
using Step = Trove.Actors.Instances.Promotion.Step;

namespace Trove.Actors.Instances;

/// <summary>
/// The work of one <see cref="Promotion.Step"/>, run for the old source's entity, which journals the event it answers.
/// A step's own failure is an event too (the promotion fails, or a member could not be moved); a step that throws (an
/// entity or a guest that did not answer where the answer decides what is safe) is tried again later.
/// </summary>
public sealed class PromotionSteps(string sourceId, IGuestRpc guests, IActorRef instances, InstanceSettings settings)
{
    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    public Task<IInstanceEvent> RunAsync(Promotion promotion, Step step) => step switch
    {
        Step.Join => JoinAsync(promotion),
        Step.Choose => ChooseAsync(promotion),
        Step.Fence => FenceAsync(),
        Step.Promote promote => PromoteAsync(promotion, promote.CandidateId),
        Step.Move move => MoveAsync(move),
        Step.Finish finish => FinishAsync(promotion, finish.CandidateId),
        Step.RollBack => RollBackAsync(promotion),
        _ => throw new ArgumentOutOfRangeException(nameof(step), step.GetType().Name, "not a promotion step"),
    };

    private async Task<IInstanceEvent> JoinAsync(Promotion promotion)
    {
        foreach (var member in promotion.Members)
            if (await AskAsync(new JoinPromotion(member, sourceId, promotion.Kind)) is var reply and not InstanceReplies.GuestDone)
                return new PromotionFailed($"Replica {member} cannot take part: {reply}", Now);
        return new PromotionMembersJoined(Now);
    }

    /// <summary>Upstream's _most_current_replica: a replica whose guest does not answer is no candidate.</summary>
    private async Task<IInstanceEvent> ChooseAsync(Promotion promotion)
    {
        (string Id, ReplicationPosition Position)? best = null;
        foreach (var member in promotion.Members)
        {
            try
            {
                var position = await PositionAsync(member);
                if (best is null || position.IsAheadOf(best.Value.Position))
                    best = (member, position);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
            }
        }
        return best is { } chosen
            ? new PromotionCandidateChosen(chosen.Id, chosen.Position.Lsn, Now, chosen.Position.Gtid)
            : new PromotionFailed("No replica's guest answered: none can be promoted.", Now);
    }

    private async Task<IInstanceEvent> FenceAsync()
    {
        try
        {
            var fenced = Read<ReplicationPosition>(await guests.CallAsync(sourceId, ReadOnly(true), settings.RestartTimeout));
            return new SourceFenced(fenced.Lsn, Now, fenced.Gtid);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new PromotionFailed($"The replica source could not be made read-only: {e.GetBaseException().Message}", Now);
        }
    }

    /// <summary>A switchover promotes the candidate once it received past where the old source stopped (the shutdown
    /// checkpoint, the last thing the source wrote); a failover leaves the old source a fence in its guest's queue, which
    /// runs should that guest ever come back. A candidate already writable (a promotion resumed) is promoted.</summary>
    private async Task<IInstanceEvent> PromoteAsync(Promotion promotion, string candidateId)
    {
        try
        {
            if (!promotion.IsSwitchover)
                await guests.CastAsync(sourceId, ReadOnly(true));
            var position = await PositionAsync(candidateId);
            if (promotion.FencedAt() is { } fenced)
            {
                var deadline = DateTimeOffset.UtcNow + settings.GuestCallTimeout;
                while (!position.Writable && !position.Holds(fenced))
                {
                    if (DateTimeOffset.UtcNow > deadline)
                        return new PromotionFailed(
                            $"Replica {candidateId} did not receive all its source wrote (it has {position.Text}; the source stopped at {fenced.Text}).", Now);
                    await Task.Delay(TimeSpan.FromMilliseconds(200));
                    position = await PositionAsync(candidateId);
                }
            }
            if (!position.Writable)
                await guests.CallAsync(candidateId, RpcMessage.Create(GuestMethods.DetachReplica, new { }), settings.RestartTimeout);
            return new CandidatePromoted(Now);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new PromotionFailed($"Replica {candidateId} could not be promoted: {e.GetBaseException().Message}", Now);
        }
    }

    /// <summary>The new source's guest makes the follower a role and slot (as for a new replica); the follower's guest
    /// follows it with them.</summary>
    private async Task<IInstanceEvent> MoveAsync(Step.Move move)
    {
        try
        {
            var source = Read<ReplicaSource>(await guests.CallAsync(move.CandidateId,
                RpcMessage.Create(GuestMethods.GetReplicaContext, new ReplicaArgs(move.FollowerId)), settings.GuestCallTimeout));
            await guests.CallAsync(move.FollowerId, RpcMessage.Create(GuestMethods.AttachReplica, source), settings.RestartTimeout);
            return new PromotionMemberMoved(move.FollowerId, null, Now);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new PromotionMemberMoved(move.FollowerId, e.GetBaseException().Message, Now);
        }
    }

    /// <summary>Each member journals its place, the new source first; then the old source's own (the event answered).
    /// A member that could not be moved follows nothing (upstream's orphaned replica) and shows the error.</summary>
    private async Task<IInstanceEvent> FinishAsync(Promotion promotion, string candidateId)
    {
        var failed = promotion.Failed ?? [];
        string? FaultOf(string id) => failed.Contains(id) ? $"Instance {id} could not follow its new replica source {candidateId}." : null;
        await ChangeAsync(new ChangeReplicaSet(candidateId, sourceId, null, promotion.Followers(sourceId).Except(failed).ToList()));
        foreach (var member in promotion.Members.Where(m => m != candidateId))
            await ChangeAsync(new ChangeReplicaSet(member, sourceId, FaultOf(member) is null ? candidateId : null, [], FaultOf(member)));
        return new ReplicaSetChanged(promotion.IsSwitchover && FaultOf(sourceId) is null ? candidateId : null, [], FaultOf(sourceId), Now);
    }

    /// <summary>Rolls back only what is known not to have been promoted: a candidate whose promotion's answer was lost may
    /// be writable, and then the promotion goes on; one that cannot be asked is asked again later.</summary>
    private async Task<IInstanceEvent> RollBackAsync(Promotion promotion)
    {
        if (promotion.CandidateId is { } candidate && (promotion.FencedAt() is not null || !promotion.IsSwitchover)
            && (await PositionAsync(candidate)).Writable)
            return new CandidatePromoted(Now);
        if (promotion.IsSwitchover)
            await guests.CallAsync(sourceId, ReadOnly(false), settings.RestartTimeout);
        foreach (var member in promotion.Members)
            await ChangeAsync(new ChangeReplicaSet(member, sourceId, sourceId, []));
        return new ReplicaSetChanged(null, promotion.Members, promotion.Fault, Now);
    }

    private async Task ChangeAsync(ChangeReplicaSet change)
    {
        if (await AskAsync(change) is var reply and not InstanceReplies.GuestDone)
            throw new InvalidOperationException($"instance {change.InstanceId} answered {reply}");
    }

    private Task<InstanceReply> AskAsync(IWithInstanceId message) => instances.AskEntityAsync<InstanceReply>(message, settings.GuestCallTimeout);

    private async Task<ReplicationPosition> PositionAsync(string instanceId) =>
        Read<ReplicationPosition>(await guests.CallAsync(instanceId, RpcMessage.Create(GuestMethods.GetLastTxn, new { }), settings.GuestCallTimeout));

    private static RpcMessage ReadOnly(bool readOnly) => RpcMessage.Create(GuestMethods.MakeReadOnly, new ReadOnlyArgs(readOnly));

    private static T Read<T>(JsonNode? result) =>
        result.Deserialize<T>(RpcMessage.Json) ?? throw new InvalidOperationException($"the guest answered no {typeof(T).Name}");
}
