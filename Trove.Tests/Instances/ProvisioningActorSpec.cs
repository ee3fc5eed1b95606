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

    private static readonly ProvisioningActor.Retry Retry = new(2, TimeSpan.FromMilliseconds(50));

    /// <summary>The child under a parent that forwards everything it hears to the test.</summary>
    private IActorRef Child(PrepareArgs? prepare, ProvisioningActor.Retry? retry = null) =>
        ChildActorOf(ProvisioningActor.Props(Spec, prepare, _compute, _guests, retry));

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
    public void The_guests_broker_user_and_what_the_driver_makes_ahead_are_made_while_the_prepare_is_queued_not_after_the_create_is_told()
    {
        var child = Child(Prepare);
        ExpectMsg<ProvisioningActor.PrepareQueued>();
        AwaitAssert(() => Assert.Equal("p1", Assert.Single(_guests.GrantedBrokerUsers)));
        AwaitAssert(() => Assert.Equal("p1", Assert.Single(_compute.PreparedAhead)));
        Assert.Empty(_compute.RequestedAll);

        child.Tell(new ProvisioningActor.CreateServer());
        ExpectMsg<ProvisioningActor.ServerReady>();
        Assert.Single(_guests.GrantedBrokerUsers); // the user made ahead is the one the server's guest is given
        Assert.Equal(TroveBroker.GuestUser("p1"), Assert.Single(_compute.Requested).Broker!.User);
    }

    [Fact]
    public void A_build_that_ends_before_its_creation_removes_what_was_made_ahead_for_it()
    {
        var abandoned = Child(Prepare);
        ExpectMsg<ProvisioningActor.PrepareQueued>();
        Watch(abandoned);
        abandoned.Tell(new ProvisioningActor.Abandon());
        ExpectTerminated(abandoned);
        Assert.Equal("p1", Assert.Single(_compute.Deleted));

        _guests.FailCast = new InvalidOperationException("broker down");
        var failed = Child(Prepare);
        Watch(failed);
        ExpectMsg<ProvisioningActor.StepFailed>();
        ExpectTerminated(failed);
        Assert.Equal(new[] { "p1", "p1" }, _compute.Deleted);
        Assert.Empty(_compute.RequestedAll);
    }

    [Fact]
    public void A_resumed_build_only_creates_the_server()
    {
        var child = Child(prepare: null);
        child.Tell(new ProvisioningActor.CreateServer());
        ExpectMsg<ProvisioningActor.ServerReady>();
        Assert.Empty(_guests.Casts);
        Assert.Empty(_compute.PreparedAhead); // its creation makes whatever an earlier attempt left undone
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

    [Fact]
    public void What_the_cloud_made_reaches_the_parent_even_when_the_creation_then_fails()
    {
        _compute.StepsBeforeCreate = [new ServerStep.ServerAccepted("nova-1"), new ServerStep.VolumeMade("cinder-1")];
        _compute.FailCreate = new InvalidOperationException("No valid host was found.");
        Child(prepare: null).Tell(new ProvisioningActor.CreateServer());
        Assert.Equal("nova-1", ExpectMsg<ServerStep.ServerAccepted>().ServerId);
        Assert.Equal("cinder-1", ExpectMsg<ServerStep.VolumeMade>().VolumeId);
        Assert.Contains("No valid host", ExpectMsg<ProvisioningActor.StepFailed>().Message);
    }

    [Fact]
    public void An_abandoned_build_cancels_the_creation_in_flight_and_stops_once_it_has_ended_with_what_was_made_reported()
    {
        _compute.StepsBeforeCreate = [new ServerStep.ServerAccepted("nova-1")];
        _compute.Hold = new TaskCompletionSource(); // a creation that would wait for ever but for the cancel
        var child = Child(prepare: null, Retry);
        Watch(child);
        child.Tell(new ProvisioningActor.CreateServer());
        Assert.Equal("nova-1", ExpectMsg<ServerStep.ServerAccepted>().ServerId);

        child.Tell(new ProvisioningActor.Abandon());
        ExpectTerminated(child);
        Assert.Empty(_compute.Requested);
        Assert.Single(_compute.RequestedAll); // cancelled, not tried again
    }

    [Fact]
    public void An_abandoned_build_waits_for_a_creation_that_cannot_be_cancelled_and_hands_its_server_over()
    {
        _compute.Hold = new TaskCompletionSource();
        _compute.IgnoresCancel = true;
        var child = Child(prepare: null);
        Watch(child);
        child.Tell(new ProvisioningActor.CreateServer());
        AwaitCondition(() => !_compute.RequestedAll.IsEmpty);

        child.Tell(new ProvisioningActor.Abandon());
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // still making the server
        _compute.Hold.SetResult();
        Assert.Equal("p1", ExpectMsg<ProvisioningActor.ServerReady>().Server.Id);
        ExpectTerminated(child);
    }

    [Fact]
    public void An_abandoned_build_makes_nothing_and_stops_at_once()
    {
        var child = Child(prepare: null);
        Watch(child);
        child.Tell(new ProvisioningActor.Abandon());
        child.Tell(new ProvisioningActor.CreateServer());
        ExpectTerminated(child);
        Assert.Empty(_compute.RequestedAll);
    }

    [Fact]
    public void A_transient_server_creation_error_is_tried_again_with_a_growing_wait()
    {
        _compute.FailNext.Enqueue(new IOException("disk busy"));
        _compute.FailNext.Enqueue(new TransientComputeException("could not start the guest"));
        Child(prepare: null, Retry).Tell(new ProvisioningActor.CreateServer());
        Assert.Equal("p1", ExpectMsg<ProvisioningActor.ServerReady>().Server.Id);
        Assert.Equal(3, _compute.CreateAttempts);
        Assert.Equal(3, _guests.GrantedBrokerUsers.Count); // each try makes the broker user again: a failed one may have failed there
    }

    [Fact]
    public void A_transient_error_that_lasts_fails_the_build_with_the_last_error_after_the_retries()
    {
        _compute.FailNext.Enqueue(new IOException("disk busy"));
        _compute.FailNext.Enqueue(new IOException("disk still busy"));
        _compute.FailCreate = new TransientComputeException("starting the guest failed with exit code 1");
        Child(prepare: null, Retry).Tell(new ProvisioningActor.CreateServer());
        Assert.Equal("Creating the server failed 3 times; the last time: starting the guest failed with exit code 1",
            ExpectMsg<ProvisioningActor.StepFailed>(TimeSpan.FromSeconds(10)).Message); // three tries and two pauses on a busy machine
        Assert.Equal(3, _compute.CreateAttempts);
    }

    [Fact]
    public void An_error_that_is_not_transient_fails_the_build_at_once()
    {
        _compute.FailCreate = new ArgumentException("server p1 has no broker user for its guest");
        Child(prepare: null, Retry).Tell(new ProvisioningActor.CreateServer());
        Assert.Equal("Creating the server failed: server p1 has no broker user for its guest", ExpectMsg<ProvisioningActor.StepFailed>().Message);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal(1, _compute.CreateAttempts);
    }

    [Theory]
    [InlineData(typeof(IOException), true)]
    [InlineData(typeof(System.ComponentModel.Win32Exception), true)]
    [InlineData(typeof(TimeoutException), true)]
    [InlineData(typeof(HttpRequestException), true)]
    [InlineData(typeof(InvalidOperationException), false)]
    [InlineData(typeof(ArgumentException), false)]
    public void Transient_errors_are_those_that_may_pass(Type error, bool transient) =>
        Assert.Equal(transient, ComputeFailures.IsTransient((Exception)Activator.CreateInstance(error)!));
}
