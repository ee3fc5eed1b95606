using Akka.Actor;
using Akka.TestKit;
using Trove.Actors.Instances;
using Trove.Actors.Tenants;
using Trove.Tests.Support;
using static Trove.Actors.Instances.InstanceCommands;

namespace Trove.Tests.Instances;

/// <summary>The instance entity owns its quota: it reserves with the real tenant entity, journals it, and gives it
/// back when the create does not happen, also when the entity is stopped between two steps and recovers. A resize's
/// growth is taken the same way, and given back when the resize is refused, fails or is interrupted before it starts.</summary>
public class InstanceQuotaSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly InstanceSettings Settings = new() { QuotaTimeout = TimeSpan.FromSeconds(1), RetryDelay = TimeSpan.FromMilliseconds(200) };

    private readonly FakeCompute _compute = new();
    private readonly FakeGuestRpc _guests = new();
    private readonly IActorRef _tenant;

    public InstanceQuotaSpec() : base(EntitySpecConfig.InMemory) =>
        _tenant = Sys.ActorOf(TenantActor.Props("demo", new QuotaLimits(Instances: 1, Volumes: 10, Backups: 10)));

    private IActorRef Entity(string id, IActorRef? tenants = null, InstanceSettings? settings = null) =>
        Sys.ActorOf(InstanceActor.Props(id, _compute, _guests, tenants ?? _tenant, settings ?? Settings));

    private int InstancesUsed() => _tenant.Ask<TenantReplies.Quotas>(new TenantCommands.GetQuotas("demo"), RemainingOrDefault).Result.Usage.Instances;

    private int VolumesUsed() => _tenant.Ask<TenantReplies.Quotas>(new TenantCommands.GetQuotas("demo"), RemainingOrDefault).Result.Usage.Volumes;

    private InstanceState StateOf(IActorRef entity, string id)
    {
        entity.Tell(new Get(id, "demo"), TestActor);
        return ExpectMsg<InstanceReplies.Found>().State;
    }

    /// <summary>A created instance whose server is up and whose guest reported healthy: one that can be resized.</summary>
    private IActorRef Active(string id)
    {
        var entity = Entity(id);
        entity.Tell(new Create(id, Requests.Postgres()), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.NotNull(StateOf(entity, id).ServerId));
        entity.Tell(new ReportHeartbeat(id, "healthy", DateTimeOffset.UtcNow), TestActor);
        ExpectMsg<InstanceReplies.HeartbeatAck>();
        Assert.Equal("ACTIVE", StateOf(entity, id).Status);
        Assert.Equal(1, VolumesUsed());
        return entity;
    }

    /// <summary>The node stops: the entity is gone before its next step, and a new incarnation recovers from the journal.</summary>
    private IActorRef Crash(IActorRef entity, string id)
    {
        Watch(entity);
        Sys.Stop(entity);
        ExpectTerminated(entity);
        return Entity(id);
    }

    [Fact]
    public void A_create_reserves_through_the_entity_and_a_delete_gives_it_back()
    {
        var entity = Entity("q1");
        entity.Tell(new Create("q1", Requests.Postgres()), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        Assert.Equal(1, InstancesUsed());

        entity.Tell(new Delete("q1", "demo"), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.Equal(0, InstancesUsed()));
    }

    [Fact]
    public void A_create_over_the_quota_is_refused_and_keeps_nothing()
    {
        var first = Entity("q2");
        first.Tell(new Create("q2", Requests.Postgres()), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();

        var second = Entity("q3");
        second.Tell(new Create("q3", Requests.Postgres()), TestActor);
        Assert.Contains("instances", ExpectMsg<InstanceReplies.QuotaExceeded>().Message);
        Assert.Equal(1, InstancesUsed());
        second.Tell(new Get("q3", "demo"), TestActor);
        ExpectMsg<InstanceReplies.NotFound>();
    }

    [Fact]
    public void A_create_whose_prepare_cannot_be_queued_gives_the_quota_back()
    {
        _guests.FailCast = new InvalidOperationException("broker down");
        var entity = Entity("q4");
        entity.Tell(new Create("q4", Requests.Postgres()), TestActor);
        ExpectMsg<InstanceReplies.Failed>();
        AwaitAssert(() => Assert.Equal(0, InstancesUsed()));
    }

    [Fact]
    public void A_crash_after_the_tenant_reserved_but_before_the_entity_heard_it_gives_the_quota_back_on_recovery()
    {
        // the tenant keeps the reservation, but its answer is lost with the node
        var lossy = CreateTestProbe();
        lossy.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            _tenant.Tell(message, message is TenantCommands.ReserveInstance ? ActorRefs.Nobody : sender);
            return AutoPilot.KeepRunning;
        }));
        var entity = Entity("q5", lossy.Ref);
        entity.Tell(new Create("q5", Requests.Postgres()), TestActor);
        AwaitAssert(() => Assert.Equal(1, InstancesUsed()));

        var recovered = Crash(entity, "q5");
        AwaitAssert(() => Assert.Equal(0, InstancesUsed()));
        recovered.Tell(new Get("q5", "demo"), TestActor);
        ExpectMsg<InstanceReplies.NotFound>();

        // the lost reserve, delivered again late, takes nothing
        _tenant.Tell(new TenantCommands.ReserveInstance("demo", "q5", 1, 512), TestActor);
        ExpectMsg<TenantReplies.AlreadyReleased>();
        Assert.Equal(0, InstancesUsed());
    }

    [Fact]
    public void A_crash_after_the_reservation_was_journaled_but_before_the_instance_was_kept_gives_the_quota_back_on_recovery()
    {
        var prepareHeld = new TaskCompletionSource();
        _guests.CastGate = prepareHeld.Task;
        var entity = Entity("q6");
        entity.Tell(new Create("q6", Requests.Postgres()), TestActor);
        AwaitAssert(() => Assert.Equal(1, InstancesUsed()));

        var recovered = Crash(entity, "q6");
        AwaitAssert(() => Assert.Equal(0, InstancesUsed()));
        prepareHeld.SetResult();
        recovered.Tell(new Get("q6", "demo"), TestActor);
        ExpectMsg<InstanceReplies.NotFound>();
        Assert.Equal(0, InstancesUsed());
    }

    [Fact]
    public void A_crash_after_the_instance_was_kept_keeps_its_quota_until_it_is_deleted()
    {
        var entity = Entity("q7");
        entity.Tell(new Create("q7", Requests.Postgres()), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();

        var recovered = Crash(entity, "q7");
        recovered.Tell(new Get("q7", "demo"), TestActor);
        ExpectMsg<InstanceReplies.Found>();
        Assert.Equal(1, InstancesUsed());

        recovered.Tell(new Delete("q7", "demo"), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.Equal(0, InstancesUsed()));
    }

    [Fact]
    public void A_resize_takes_its_growth_from_the_tenant_and_keeps_it_once_applied()
    {
        var entity = Active("r1");
        entity.Tell(Resize.Grow("r1", "demo", 3), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.Equal(3, StateOf(entity, "r1").VolumeSize));
        Assert.Equal("ACTIVE", StateOf(entity, "r1").Status);
        Assert.Equal(3, VolumesUsed());

        var recovered = Crash(entity, "r1");
        Assert.Equal(3, StateOf(recovered, "r1").VolumeSize);
        Assert.Equal(3, VolumesUsed());
    }

    [Fact]
    public void A_resize_over_the_quota_is_refused_and_keeps_nothing()
    {
        var entity = Active("r2");
        entity.Tell(Resize.Grow("r2", "demo", 11), TestActor);
        Assert.Contains("volumes", ExpectMsg<InstanceReplies.QuotaExceeded>().Message);
        var state = StateOf(entity, "r2");
        Assert.Equal(("ACTIVE", 1), (state.Status, state.VolumeSize));
        Assert.Equal(1, VolumesUsed());
        Assert.Empty(_guests.Calls.Where(c => c.Message.Method == "resize"));
    }

    [Fact]
    public void A_resize_to_what_the_instance_has_is_invalid_and_asks_nobody()
    {
        var entity = Active("r3");
        entity.Tell(Resize.Grow("r3", "demo", 1), TestActor);
        Assert.Contains("larger than the current 1", ExpectMsg<InstanceReplies.Invalid>().Message);
        entity.Tell(Resize.ToFlavor("r3", "demo", "small", 512), TestActor);
        Assert.Contains("already has flavor 'small'", ExpectMsg<InstanceReplies.Invalid>().Message);
        entity.Tell(Resize.Grow("nope", "other", 2), TestActor);
        ExpectMsg<InstanceReplies.NotFound>();
        Assert.Equal(1, VolumesUsed());
    }

    [Fact]
    public void A_resize_the_guest_fails_gives_its_growth_back()
    {
        _guests.FailCall = new TimeoutException("no reply to 'resize'");
        var entity = Active("r4");
        entity.Tell(Resize.Grow("r4", "demo", 4), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.Equal(1, VolumesUsed()));
        var state = StateOf(entity, "r4");
        Assert.Equal((1, InstanceTask.None), (state.VolumeSize, state.Task));
        Assert.Contains("resize failed", state.Fault);

        // given back once: after a restart, nothing is given again and the next resize counts from the size kept
        _guests.FailCall = null;
        var recovered = Crash(entity, "r4");
        recovered.Tell(Resize.Grow("r4", "demo", 2), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.Equal(2, StateOf(recovered, "r4").VolumeSize));
        Assert.Equal(2, VolumesUsed());
    }

    [Fact]
    public void A_crash_after_the_tenant_granted_a_resize_but_before_the_entity_heard_it_gives_the_growth_back_on_recovery()
    {
        var entity = Active("r5");
        Watch(entity);
        Sys.Stop(entity);
        ExpectTerminated(entity);
        // the tenant takes the growth, but its answer is lost with the node
        var lossy = CreateTestProbe();
        lossy.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            _tenant.Tell(message, message is TenantCommands.ResizeInstance ? ActorRefs.Nobody : sender);
            return AutoPilot.KeepRunning;
        }));
        var deaf = Entity("r5", lossy.Ref, Settings with { QuotaTimeout = TimeSpan.FromMinutes(1) });
        deaf.Tell(Resize.Grow("r5", "demo", 5), TestActor);
        AwaitAssert(() => Assert.Equal(5, VolumesUsed()));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // no answer: the entity is still waiting for the tenant

        var recovered = Crash(deaf, "r5");
        AwaitAssert(() => Assert.Equal(1, VolumesUsed()));
        var state = StateOf(recovered, "r5");
        Assert.Equal(("ACTIVE", 1), (state.Status, state.VolumeSize));
        Assert.Empty(_guests.Calls.Where(c => c.Message.Method == "resize"));
    }

    [Fact]
    public void A_crash_while_the_guest_resizes_resumes_the_resize_and_a_failure_then_gives_the_growth_back()
    {
        var guestHeld = new TaskCompletionSource();
        _guests.CallGate = guestHeld.Task;
        var entity = Active("r6");
        entity.Tell(Resize.Grow("r6", "demo", 6), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        Assert.Equal(6, VolumesUsed());

        var recovered = Crash(entity, "r6");
        Assert.Equal("RESIZE", StateOf(recovered, "r6").Status);
        Assert.Equal(6, VolumesUsed()); // the resize goes on, with its growth
        AwaitAssert(() => Assert.Equal(2, _guests.Calls.Count(c => c.Message.Method == "resize"))); // asked again after the restart

        _guests.FailCall = new InvalidOperationException("the volume cannot grow");
        guestHeld.SetResult();
        AwaitAssert(() => Assert.Equal(1, VolumesUsed()));
        var state = StateOf(recovered, "r6");
        Assert.Equal(("ACTIVE", 1), (state.Status, state.VolumeSize));
    }
}
