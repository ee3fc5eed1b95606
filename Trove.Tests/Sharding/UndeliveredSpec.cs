using Akka.Actor;
using Akka.Event;
using Akka.TestKit.Xunit2;
using Trove.Actors.Instances;
using Trove.Actors.Sharding;

namespace Trove.Tests.Sharding;

/// <summary>An ask whose message goes to dead letters on its way to an entity (a shard that stops for a hand-off drops
/// what reaches it meanwhile: akka.net#8501) is told so by the node where it was dropped, and asked again.</summary>
public sealed class UndeliveredSpec : TestKit
{
    /// <summary>Stands for a shard region whose first delivery goes into a shard that has stopped.</summary>
    private sealed class RegionWithAStoppedShard : ReceiveActor
    {
        public RegionWithAStoppedShard(IActorRef seen)
        {
            var stopped = Context.ActorOf(Props.Empty, "shard-7");
            Context.Stop(stopped);
            var first = true;
            Receive<InstanceCommands.Get>(get =>
            {
                seen.Tell(get);
                if (first)
                    stopped.Forward(get);
                else
                    Sender.Tell(new InstanceReplies.NotFound(get.InstanceId));
                first = false;
            });
        }
    }

    [Fact]
    public async Task A_message_dropped_on_its_way_is_asked_again_and_answered()
    {
        Sys.ActorOf(UndeliveredReturner.Props(), "undelivered-returner");
        var seen = CreateTestProbe();
        var region = ((ExtendedActorSystem)Sys).SystemActorOf(Props.Create(() => new RegionWithAStoppedShard(seen.Ref)), "sharding");
        await Task.Delay(200); // the shard has stopped and the returner has subscribed

        var reply = await region.AskEntityAsync<InstanceReply>(new InstanceCommands.Get("i-1", "demo"), TimeSpan.FromSeconds(5));

        Assert.Equal(new InstanceReplies.NotFound("i-1"), reply);
        seen.ExpectMsg<InstanceCommands.Get>();
        seen.ExpectMsg<InstanceCommands.Get>();
    }

    /// <summary>Stands for a region handing a shard off: it drops what it buffered for the shard, as ShardRegion does
    /// (a <see cref="Dropped"/> with the asker as its sender and no recipient, told to the dead letters).</summary>
    private sealed class RegionHandingOff : ReceiveActor
    {
        public RegionHandingOff(IActorRef seen)
        {
            var first = true;
            Receive<InstanceCommands.Get>(get =>
            {
                seen.Tell(get);
                if (first)
                    Context.System.DeadLetters.Tell(new Dropped(get, "Avoiding reordering of buffered messages at shard handoff", Sender, ActorRefs.NoSender));
                else
                    Sender.Tell(new InstanceReplies.NotFound(get.InstanceId));
                first = false;
            });
        }
    }

    [Fact]
    public async Task A_message_a_region_drops_at_a_hand_off_is_asked_again_and_answered()
    {
        Sys.ActorOf(UndeliveredReturner.Props(), "undelivered-returner");
        var seen = CreateTestProbe();
        var region = ((ExtendedActorSystem)Sys).SystemActorOf(Props.Create(() => new RegionHandingOff(seen.Ref)), "sharding");
        await Task.Delay(200); // the returner has subscribed

        var reply = await region.AskEntityAsync<InstanceReply>(new InstanceCommands.Get("i-1", "demo"), TimeSpan.FromSeconds(5));

        Assert.Equal(new InstanceReplies.NotFound("i-1"), reply);
        seen.ExpectMsg<InstanceCommands.Get>();
        seen.ExpectMsg<InstanceCommands.Get>();
    }

    [Fact]
    public async Task Asking_a_region_that_is_gone_ends_with_the_ask_timeout()
    {
        Sys.ActorOf(UndeliveredReturner.Props(), "undelivered-returner");
        var region = ((ExtendedActorSystem)Sys).SystemActorOf(Props.Empty, "sharding");
        Sys.Stop(region);
        await Task.Delay(200);

        await Assert.ThrowsAsync<AskTimeoutException>(() =>
            region.AskEntityAsync<InstanceReply>(new InstanceCommands.Get("i-1", "demo"), TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Only_commands_an_ask_waits_on_inside_sharding_are_returned()
    {
        var region = ((ExtendedActorSystem)Sys).SystemActorOf(Props.Empty, "sharding");
        var asker = new FakeTempRef(new RootActorPath(((ExtendedActorSystem)Sys).Provider.DefaultAddress) / "temp" / "a1");
        var get = new InstanceCommands.Get("i-1", "demo");

        Assert.True(UndeliveredReturner.IsEntityAsk(get, asker, region));
        Assert.False(UndeliveredReturner.IsEntityAsk(get, TestActor, region)); // a told message: nobody waits on it
        Assert.False(UndeliveredReturner.IsEntityAsk("not ours", asker, region));
        Assert.False(UndeliveredReturner.IsEntityAsk(get, asker, TestActor)); // not on its way to an entity
        Assert.False(UndeliveredReturner.IsEntityAsk(new Undelivered("Get"), asker, region));
    }

    private sealed class FakeTempRef(ActorPath path) : MinimalActorRef
    {
        public override ActorPath Path { get; } = path;
        public override IActorRefProvider Provider => throw new NotSupportedException();
    }
}
