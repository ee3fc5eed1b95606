using Akka.Actor;
using Trove.Actors.Instances;
using Trove.Actors.Tenants;
using Trove.Contracts.Guests;
using Trove.Tests.Support;
using static Trove.Actors.Instances.InstanceCommands;

namespace Trove.Tests.Instances;

/// <summary>What an action asks of the server before the guest: a resize gives the server the new flavor or volume
/// first (a cloud's resize; the guest then fits its engine), and the operator's reboot reboots the server, ending when
/// its guest answers again. A tenant's restart restarts only the engine.</summary>
public class InstanceServerActionsSpec : Akka.TestKit.Xunit2.TestKit
{
    private readonly FakeCompute _compute = new();
    private readonly FakeGuestRpc _guests = new();
    private readonly IActorRef _tenant;

    public InstanceServerActionsSpec() : base(EntitySpecConfig.InMemory) =>
        _tenant = Sys.ActorOf(TenantActor.Props("demo", new QuotaLimits(Instances: 5, Volumes: 20, Backups: 10)));

    private InstanceState StateOf(IActorRef entity, string id)
    {
        entity.Tell(new Get(id, "demo"), TestActor);
        return ExpectMsg<InstanceReplies.Found>().State;
    }

    private IActorRef Active(string id)
    {
        var entity = Sys.ActorOf(InstanceActor.Props(id, _compute, _guests, _tenant, new InstanceSettings()));
        entity.Tell(new Create(id, Requests.Postgres()), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.NotNull(StateOf(entity, id).ServerId));
        entity.Tell(new ReportHeartbeat(id, "healthy", DateTimeOffset.UtcNow), TestActor);
        ExpectMsg<InstanceReplies.HeartbeatAck>();
        return entity;
    }

    private string[] GuestCalls(string id) => _guests.Calls.Where(c => c.InstanceId == id).Select(c => c.Message.Method).ToArray();

    [Fact]
    public void A_resize_gives_the_server_the_flavor_and_the_volume_before_the_guest_fits_its_engine()
    {
        var entity = Active("s1");
        entity.Tell(Resize.ToFlavor("s1", "demo", "large", 2048), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.Equal(("ACTIVE", "large"), (StateOf(entity, "s1").Status, StateOf(entity, "s1").FlavorId)));
        entity.Tell(Resize.Grow("s1", "demo", 4), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.Equal(("ACTIVE", 4), (StateOf(entity, "s1").Status, StateOf(entity, "s1").VolumeSize)));

        Assert.Equal([("s1", "large", null), ("s1", null, 4)], _compute.Resized.ToArray());
        Assert.Equal(2, GuestCalls("s1").Count(m => m == GuestMethods.Resize));
    }

    [Fact]
    public void A_server_the_cloud_does_not_resize_fails_the_resize_without_asking_the_guest()
    {
        var entity = Active("s2");
        _compute.FailResize = new InvalidOperationException("No valid host was found.");
        entity.Tell(Resize.ToFlavor("s2", "demo", "large", 2048), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.Contains("No valid host was found.", StateOf(entity, "s2").Fault));
        var state = StateOf(entity, "s2");
        Assert.Equal(("small", InstanceTask.None), (state.FlavorId, state.Task));
        Assert.DoesNotContain(GuestMethods.Resize, GuestCalls("s2"));
    }

    [Fact]
    public void The_operators_reboot_reboots_the_server_and_a_restart_only_the_engine()
    {
        var entity = Active("s3");
        entity.Tell(new Restart("s3", "demo"), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.Equal(InstanceTask.None, StateOf(entity, "s3").Task));
        Assert.Empty(_compute.Rebooted);
        Assert.Contains(GuestMethods.Restart, GuestCalls("s3"));
        entity.Tell(new ReportHeartbeat("s3", "healthy", DateTimeOffset.UtcNow), TestActor);
        ExpectMsg<InstanceReplies.HeartbeatAck>();

        entity.Tell(new Restart("s3", "demo", RebootServer: true), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.Equal(InstanceTask.None, StateOf(entity, "s3").Task));
        Assert.Equal(["s3"], _compute.Rebooted.ToArray());
        Assert.Contains(GuestMethods.RpcPing, GuestCalls("s3"));
    }
}
