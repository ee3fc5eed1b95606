using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Trove.Actors.Instances;
using Trove.Actors.Tenants;
using Trove.Tests.Support;
using static Trove.Actors.Instances.InstanceCommands;

namespace Trove.Tests.Instances;

/// <summary>The instance entity owns its quota: it reserves with the real tenant entity, journals it, and gives it
/// back when the create does not happen, also when the entity is stopped between two steps and recovers.</summary>
public class InstanceQuotaSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly Config SpecConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """);

    private static readonly InstanceSettings Settings = new() { QuotaTimeout = TimeSpan.FromSeconds(1), RetryDelay = TimeSpan.FromMilliseconds(200) };

    private readonly FakeCompute _compute = new();
    private readonly FakeGuestRpc _guests = new();
    private readonly IActorRef _tenant;

    public InstanceQuotaSpec() : base(SpecConfig) =>
        _tenant = Sys.ActorOf(TenantActor.Props("demo", new QuotaLimits(Instances: 1, Volumes: 10, Backups: 10)));

    private IActorRef Entity(string id, IActorRef? tenants = null) =>
        Sys.ActorOf(InstanceActor.Props(id, _compute, _guests, tenants ?? _tenant, Settings));

    private int InstancesUsed() => _tenant.Ask<TenantReplies.Quotas>(new TenantCommands.GetQuotas("demo"), RemainingOrDefault).Result.Usage.Instances;

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
}
