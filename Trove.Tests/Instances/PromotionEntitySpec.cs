using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.TestKit;
using Trove.Actors.Instances;
using Trove.Contracts.Guests;
using Trove.Tests.Support;
using static Trove.Actors.Instances.InstanceCommands;
using static Trove.Actors.Instances.InstanceEvents;

namespace Trove.Tests.Instances;

/// <summary>The old source's entity runs a switchover as a journaled workflow: started again from each intermediate state
/// its journal can hold (a node killed there), it takes the step that state calls for, and never starts the old source
/// writable again once the candidate may have been promoted. Its replicas' entities are a probe standing for the instance
/// region; the guests a double that answers as PostgreSQL's would.</summary>
public class PromotionEntitySpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);
    private const string FencedAt = "0/3000060";

    private readonly FakeGuestRpc _guests = new();
    private readonly TestProbe _instances;
    private readonly List<object> _told = [];
    private bool _candidateWritable;

    public PromotionEntitySpec() : base(EntitySpecConfig.InMemory)
    {
        _instances = CreateTestProbe();
        _instances.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            lock (_told)
                _told.Add(message);
            sender.Tell(InstanceReplies.GuestDone.Instance);
            return AutoPilot.KeepRunning;
        }));
        _guests.Answer = (id, message) => message.Method switch
        {
            GuestMethods.MakeReadOnly when message.ArgsAs<ReadOnlyArgs>().ReadOnly => Json(new ReplicationPosition(FencedAt, false)),
            GuestMethods.GetLastTxn => Json(new ReplicationPosition(_candidateWritable ? "0/4000000" : "0/3000100", _candidateWritable)),
            GuestMethods.GetReplicaContext => Json(new ReplicaSource("127.42.0.11", 5432, "trove_repl_x", "s3cret", "trove_replica_x")),
            _ => null,
        };
    }

    private static JsonNode? Json<T>(T value) => JsonSerializer.SerializeToNode(value, RpcMessage.Json);

    /// <summary>The source "src" with replicas r1 and r2, a switchover to r1 started, then <paramref name="steps"/>.</summary>
    private IActorRef Recovered(params IInstanceEvent[] steps) =>
        Recovered(new PromotionStarted(Promotion.Kinds.Switchover, "r1", ["r1", "r2"], T0), steps);

    private IActorRef Recovered(PromotionStarted started, params IInstanceEvent[] steps)
    {
        var created = (Created)InstanceDecisions.Create(null, new Create("src", Requests.Postgres()), T0).Events[0];
        JournalSeed.Write(this, "instance-src",
        [
            created, new ServerCreated("server-1", "127.42.0.10", 5432, T0), new ServiceStatusChanged(ServiceStatusNames.Healthy, T0, T0),
            new BuildCompleted(T0), new ReplicaAttached("r1", T0), new ReplicaAttached("r2", T0),
            started, .. steps,
        ]);
        return Sys.ActorOf(InstanceActor.Props("src", new FakeCompute(), _guests, CreateTestProbe().Ref,
            new InstanceSettings { RetryDelay = TimeSpan.FromMilliseconds(100) }, instances: _instances.Ref));
    }

    private IReadOnlyList<(string Id, string Method)> Calls => _guests.Calls.Select(c => (c.InstanceId, c.Message.Method)).ToList();

    private IReadOnlyList<object> Told
    {
        get
        {
            lock (_told)
                return [.. _told];
        }
    }

    private InstanceState StateOf(IActorRef entity)
    {
        entity.Tell(new Get("src", "demo"), TestActor);
        return ExpectMsg<InstanceReplies.Found>().State;
    }

    private void UntilDone(IActorRef entity) => AwaitAssert(() => Assert.Null(StateOf(entity).Promotion), TimeSpan.FromSeconds(10));

    [Fact]
    public void Started_only_it_has_every_member_show_the_task_then_fences_the_source_first()
    {
        var entity = Recovered();
        AwaitAssert(() => Assert.Contains((("src", GuestMethods.MakeReadOnly)), Calls));
        Assert.Equal([new JoinPromotion("r1", "src", "promote"), new JoinPromotion("r2", "src", "promote")], Told.Take(2));
        UntilDone(entity);
        Assert.Equal(("src", GuestMethods.MakeReadOnly), Calls[0]); // before the candidate is asked anything
    }

    [Fact]
    public void Fenced_it_promotes_the_candidate_once_it_holds_where_the_source_stopped_and_never_lifts_the_fence()
    {
        var entity = Recovered(new PromotionMembersJoined(T0), new SourceFenced(FencedAt, T0));
        UntilDone(entity);
        Assert.Equal([("r1", GuestMethods.GetLastTxn), ("r1", GuestMethods.DetachReplica)], Calls.Take(2));
        Assert.DoesNotContain(Calls, c => c.Method == GuestMethods.MakeReadOnly);
        Assert.Equal("r1", StateOf(entity).ReplicaOf);
    }

    [Fact]
    public void Promoted_it_moves_each_follower_to_the_new_source_the_other_replica_then_the_old_source()
    {
        var entity = Recovered(new PromotionMembersJoined(T0), new SourceFenced(FencedAt, T0), new CandidatePromoted(T0));
        UntilDone(entity);
        Assert.Equal([("r1", GuestMethods.GetReplicaContext), ("r2", GuestMethods.AttachReplica),
            ("r1", GuestMethods.GetReplicaContext), ("src", GuestMethods.AttachReplica)], Calls);
        Assert.Equal("trove_replica_x", _guests.Calls.Last().Message.ArgsAs<ReplicaSource>().Slot); // what the new source's guest made
    }

    [Fact]
    public void Every_follower_moved_it_only_journals_the_new_replica_set_on_each_member_and_itself()
    {
        var entity = Recovered(new PromotionMembersJoined(T0), new SourceFenced(FencedAt, T0), new CandidatePromoted(T0),
            new PromotionMemberMoved("r2", null, T0), new PromotionMemberMoved("src", null, T0));
        UntilDone(entity);
        Assert.Empty(Calls);
        Assert.Equal([new ChangeReplicaSet("r1", "src", null, ["r2", "src"]), new ChangeReplicaSet("r2", "src", "r1", [])],
            Told.Cast<ChangeReplicaSet>().ToList(), new ChangeComparer());
        var state = StateOf(entity);
        Assert.Equal(("r1", "ACTIVE"), (state.ReplicaOf, state.Status));
        Assert.Empty(state.ReplicaIds);
    }

    [Fact]
    public void Failed_before_the_candidate_was_promoted_it_lifts_the_fence_and_puts_every_member_back()
    {
        var entity = Recovered(new PromotionMembersJoined(T0), new SourceFenced(FencedAt, T0), new PromotionFailed("the candidate lagged", T0));
        UntilDone(entity);
        Assert.Equal([("r1", GuestMethods.GetLastTxn), ("src", GuestMethods.MakeReadOnly)], Calls);
        Assert.False(_guests.Calls.Last().Message.ArgsAs<ReadOnlyArgs>().ReadOnly);
        Assert.Equal([new ChangeReplicaSet("r1", "src", "src", []), new ChangeReplicaSet("r2", "src", "src", [])],
            Told.Cast<ChangeReplicaSet>().ToList(), new ChangeComparer());
        var state = StateOf(entity);
        Assert.Equal((null, "ERROR", "the candidate lagged"), (state.ReplicaOf, state.Status, state.ShownFault?.Message));
        Assert.Equal(["r1", "r2"], state.ReplicaIds);
    }

    [Fact]
    public void Failed_after_a_promotion_whose_answer_was_lost_it_goes_forward_instead_of_making_two_writable_sources()
    {
        _candidateWritable = true;
        var entity = Recovered(new PromotionMembersJoined(T0), new SourceFenced(FencedAt, T0), new PromotionFailed("the guest did not answer", T0));
        UntilDone(entity);
        Assert.DoesNotContain(Calls, c => c.Method == GuestMethods.MakeReadOnly);
        Assert.Contains(("src", GuestMethods.AttachReplica), Calls);
        Assert.Equal(("r1", "ACTIVE"), (StateOf(entity).ReplicaOf, StateOf(entity).Status));
    }

    [Fact]
    public void A_failover_joined_promotes_the_replica_that_received_the_most_fences_the_gone_source_through_its_queue_and_leaves_it_out()
    {
        _guests.Answer = (id, message) => message.Method switch
        {
            GuestMethods.GetLastTxn => Json(new ReplicationPosition(id == "r2" ? "0/5000000" : "0/4FFFFFF", false)),
            GuestMethods.GetReplicaContext => Json(new ReplicaSource("127.42.0.12", 5432, "trove_repl_r1", "s3cret", "trove_replica_r1")),
            _ => null,
        };
        var entity = Recovered(new PromotionStarted(Promotion.Kinds.Failover, null, ["r1", "r2"], T0), new PromotionMembersJoined(T0));
        UntilDone(entity);
        Assert.Equal([("r1", GuestMethods.GetLastTxn), ("r2", GuestMethods.GetLastTxn), ("r2", GuestMethods.GetLastTxn),
            ("r2", GuestMethods.DetachReplica), ("r2", GuestMethods.GetReplicaContext), ("r1", GuestMethods.AttachReplica)], Calls);
        Assert.Equal([("src", GuestMethods.MakeReadOnly)], _guests.Casts.Select(c => (c.InstanceId, c.Message.Method)));
        Assert.Equal([new ChangeReplicaSet("r2", "src", null, ["r1"]), new ChangeReplicaSet("r1", "src", "r2", [])],
            Told.Cast<ChangeReplicaSet>().ToList(), new ChangeComparer());
        var state = StateOf(entity);
        Assert.Equal(((string?)null, "ACTIVE"), (state.ReplicaOf, state.Status));
        Assert.Empty(state.ReplicaIds);
    }

    [Fact]
    public void A_replica_may_only_be_promoted_if_it_is_one_and_a_member_busy_elsewhere_refuses_to_join()
    {
        var entity = Sys.ActorOf(InstanceActor.Props("r9", new FakeCompute(), _guests, CreateTestProbe().Ref,
            new InstanceSettings(), instances: _instances.Ref));
        entity.Tell(new PromoteToReplicaSource("r9", "demo"), TestActor);
        ExpectMsg<InstanceReplies.NotFound>();
        entity.Tell(new JoinPromotion("r9", "src", "promote"), TestActor);
        ExpectMsg<InstanceReplies.Refused>();
    }

    private sealed class ChangeComparer : IEqualityComparer<ChangeReplicaSet>
    {
        public bool Equals(ChangeReplicaSet? a, ChangeReplicaSet? b) =>
            a is not null && b is not null && (a.InstanceId, a.SourceId, a.ReplicaOf, a.Fault) == (b.InstanceId, b.SourceId, b.ReplicaOf, b.Fault)
            && a.Replicas.SequenceEqual(b.Replicas);

        public int GetHashCode(ChangeReplicaSet c) => c.InstanceId.GetHashCode();
    }
}
