using Trove.Contracts.Guests;
using static Trove.Actors.Instances.InstanceEvents;

namespace Trove.Actors.Instances;

/// <summary>
/// A replica set changing its source, kept by the old source's entity, which runs it: upstream's promote_to_replica_source
/// (a switchover to <see cref="CandidateId"/>) or eject_replica_source (a failover to the replica that received the most).
/// Each step is journaled before the next starts (<see cref="Next"/>), so a node that stops in the middle resumes from
/// the last one: before <see cref="Promoted"/> a failure rolls back, after it the promotion only goes forward, and the old
/// source is fenced (read-only) before the candidate is promoted: never two writable sources.
/// </summary>
public sealed record Promotion(
    string Kind,
    string? CandidateId,
    IReadOnlyList<string> Members,
    bool Joined = false,
    string? FencedLsn = null,
    bool Promoted = false,
    IReadOnlyList<string>? Moved = null,
    IReadOnlyList<string>? Failed = null,
    string? Fault = null,
    string? FencedGtid = null)
{
    public static class Kinds
    {
        public const string Switchover = "promote";
        public const string Failover = "eject";
    }

    public bool IsSwitchover => Kind == Kinds.Switchover;

    /// <summary>Where the old source's engine stopped (a switchover's fence), once it did.</summary>
    public ReplicationPosition? FencedAt() =>
        FencedLsn is null && FencedGtid is null ? null : new ReplicationPosition(FencedLsn, Writable: false, FencedGtid);

    public static InstanceTask TaskOf(string kind) => kind == Kinds.Failover ? InstanceTask.Ejecting : InstanceTask.Promoting;

    public Promotion Apply(IInstanceEvent e) => e switch
    {
        PromotionMembersJoined => this with { Joined = true },
        PromotionCandidateChosen c => this with { CandidateId = c.CandidateId },
        SourceFenced f => this with { FencedLsn = f.Lsn, FencedGtid = f.Gtid },
        CandidatePromoted => this with { Promoted = true },
        PromotionMemberMoved m => this with
        {
            Moved = [.. Moved ?? [], m.MemberId], Failed = m.Fault is null ? Failed : [.. Failed ?? [], m.MemberId],
        },
        PromotionFailed f => this with { Fault = f.Fault },
        _ => this,
    };

    /// <summary>Who follows the new source once it took over: the other replicas and, in a switchover, the old source
    /// (<paramref name="sourceId"/>). A failover leaves the old source out, detached, as upstream.</summary>
    public IReadOnlyList<string> Followers(string sourceId) =>
        [.. Members.Where(m => m != CandidateId), .. IsSwitchover ? [sourceId] : Array.Empty<string>()];

    /// <summary>The step the source's entity takes now, from what its journal says was done.</summary>
    public Step Next(string sourceId) =>
        Fault is not null && !Promoted ? new Step.RollBack()
        : !Joined ? new Step.Join()
        : CandidateId is null ? new Step.Choose()
        : IsSwitchover && FencedAt() is null ? new Step.Fence()
        : !Promoted ? new Step.Promote(CandidateId)
        : Followers(sourceId).FirstOrDefault(f => !(Moved ?? []).Contains(f)) is { } follower ? new Step.Move(CandidateId, follower)
        : new Step.Finish(CandidateId);

    public abstract record Step
    {
        /// <summary>Every member shows the task (each asked to join).</summary>
        public sealed record Join : Step;
        /// <summary>A failover asks each replica's guest how much it received, and takes the one with the most.</summary>
        public sealed record Choose : Step;
        /// <summary>A switchover stops the old source cleanly: it takes no more writes, and streamed its replicas all it wrote.</summary>
        public sealed record Fence : Step;
        /// <summary>The candidate's engine takes writes, once it is seen to hold all the old source wrote.</summary>
        public sealed record Promote(string CandidateId) : Step;
        /// <summary>One follower's guest follows the new source, over a role and slot the new source's guest made for it.</summary>
        public sealed record Move(string CandidateId, string FollowerId) : Step;
        /// <summary>Every member, then the old source, journals its place in the new replica set.</summary>
        public sealed record Finish(string CandidateId) : Step;
        /// <summary>Before the candidate took writes: the old source's fence is lifted and every member is as before.</summary>
        public sealed record RollBack : Step;
    }
}
