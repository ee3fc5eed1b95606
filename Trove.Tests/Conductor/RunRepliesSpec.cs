using Akka.Actor;
using Trove.Actors.Conductor;
using Trove.Actors.Instances;

namespace Trove.Tests.Conductor;

/// <summary>The one collector of a run's answers: each report's receiver takes its entity's answer, a receiver whose
/// path was asked for (a report sent to another node) is found by that path until the run ends, and the run waits at
/// most until its deadline.</summary>
public sealed class RunRepliesSpec : Akka.TestKit.Xunit2.TestKit
{
    private IActorRefProvider Provider => ((ExtendedActorSystem)Sys).Provider;

    [Fact]
    public async Task Each_receiver_takes_its_own_answer_and_a_failure_is_its_cause()
    {
        using var replies = new RunReplies(Provider, 3);
        var failure = new InvalidOperationException("the journal is down");
        replies.ReceiverFor(2).Tell(InstanceReplies.HeartbeatAck.Instance);
        replies.ReceiverFor(0).Tell(new Status.Failure(failure));
        replies.ReceiverFor(0).Tell(InstanceReplies.HeartbeatAck.Instance); // a second answer changes nothing
        Assert.False(replies.AllAnsweredAsync(CancellationToken.None).IsCompleted);
        replies.ReceiverFor(1).Tell(InstanceReplies.HeartbeatAck.Instance);

        await replies.AllAnsweredAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Same(failure, replies.AnswerOf(0));
        Assert.Same(InstanceReplies.HeartbeatAck.Instance, replies.AnswerOf(1));
        Assert.Same(InstanceReplies.HeartbeatAck.Instance, replies.AnswerOf(2));
    }

    [Fact]
    public async Task An_answer_sent_to_a_receivers_path_reaches_it_until_the_run_is_disposed()
    {
        var replies = new RunReplies(Provider, 2);
        var path = replies.ReceiverFor(0).Path; // as when its report is serialized for another node
        Provider.ResolveActorRef(path).Tell(InstanceReplies.HeartbeatAck.Instance);
        replies.ReceiverFor(1).Tell(InstanceReplies.HeartbeatAck.Instance);
        await replies.AllAnsweredAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Same(InstanceReplies.HeartbeatAck.Instance, replies.AnswerOf(0));

        replies.Dispose();
        Assert.NotSame(replies.ReceiverFor(0), Provider.ResolveActorRef(path));
    }

    [Fact]
    public async Task An_entity_on_another_node_answers_a_receiver_over_the_network()
    {
        const string remoting = """
            akka.loglevel = WARNING
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            """;
        using var here = ActorSystem.Create("here", remoting);
        using var there = ActorSystem.Create("there", remoting);
        there.ActorOf(Props.Create(() => new Echo()), "entity");
        var thereAddress = ((ExtendedActorSystem)there).Provider.DefaultAddress;

        using var replies = new RunReplies(((ExtendedActorSystem)here).Provider, 1);
        here.ActorSelection(new RootActorPath(thereAddress) / "user" / "entity").Tell("a report", replies.ReceiverFor(0));
        await replies.AllAnsweredAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("handled: a report", replies.AnswerOf(0));
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => Receive<string>(report => Sender.Tell($"handled: {report}"));
    }

    [Fact]
    public async Task The_run_stops_waiting_at_its_deadline_and_an_unanswered_report_has_no_answer()
    {
        using var replies = new RunReplies(Provider, 2);
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        replies.ReceiverFor(0).Tell(InstanceReplies.HeartbeatAck.Instance);
        await replies.AllAnsweredAsync(deadline.Token).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Null(replies.AnswerOf(1));
    }
}
