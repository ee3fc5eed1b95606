using Akka.Actor;
using Trove.Actors.Compute;
using Trove.Actors.Instances;
using Trove.Tests.Support;
using Trove.Contracts.Guests;
using Trove.Amqp;

namespace Trove.Tests.Instances;

public class ProvisioningActorSpec : Akka.TestKit.Xunit2.TestKit
{
    private readonly FakeCompute _compute = new();
    private readonly FakeGuestRpc _guests = new();
    private static readonly ServerSpec Spec = new("p1", "postgresql", "15", 512, 1);
    private static readonly PrepareArgs Prepare = new([new DatabaseSpec("appdb")], [new UserSpec("app", "pw", null, [])]);

    /// <summary>The child under a parent that forwards everything it hears to the test.</summary>
    private IActorRef Child(PrepareArgs? prepare) =>
        ChildActorOf(ProvisioningActor.Props(Spec, prepare, _compute, _guests));

    [Fact]
    public void A_new_build_queues_prepare_first_and_creates_the_server_only_when_told()
    {
        var child = Child(Prepare);
        ExpectMsg<ProvisioningActor.PrepareQueued>();
        Assert.Equal(GuestMethods.Prepare, Assert.Single(_guests.Casts).Message.Method);
        Assert.Empty(_compute.Servers);

        Watch(child);
        child.Tell(new ProvisioningActor.CreateServer());
        Assert.Equal("p1", ExpectMsg<ProvisioningActor.ServerReady>().Server.Id);
        ExpectTerminated(child);
    }

    [Fact]
    public void A_resumed_build_only_creates_the_server()
    {
        var child = Child(prepare: null);
        child.Tell(new ProvisioningActor.CreateServer());
        ExpectMsg<ProvisioningActor.ServerReady>();
        Assert.Empty(_guests.Casts);
        // The server's guest connects as its own broker user, made again (unchanged) for a resumed build.
        Assert.Equal(TroveBroker.GuestUser("p1"), Assert.Single(_compute.Requested).Broker!.User);
        Assert.Equal("p1", Assert.Single(_guests.GrantedBrokerUsers));
    }

    [Fact]
    public void Failures_are_reported_to_the_parent_with_what_failed()
    {
        _guests.FailCast = new InvalidOperationException("broker down");
        Child(Prepare);
        Assert.Contains("broker down", ExpectMsg<ProvisioningActor.StepFailed>().Message);

        _compute.FailCreate = new InvalidOperationException("no capacity");
        Child(prepare: null).Tell(new ProvisioningActor.CreateServer());
        Assert.Contains("no capacity", ExpectMsg<ProvisioningActor.StepFailed>().Message);
    }
}
