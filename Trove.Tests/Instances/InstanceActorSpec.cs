using Akka.Actor;
using Akka.TestKit;
using Trove.Actors.Compute;
using Trove.Actors.Conductor;
using Trove.Actors.Guests;
using Trove.Actors.Instances;
using Trove.Actors.Tenants;
using Trove.Tests.Support;
using Trove.Contracts.Guests;
using Trove.Actors.Sharding;
using static Trove.Actors.Instances.InstanceCommands;

namespace Trove.Tests.Instances;

public class InstanceActorSpec : Akka.TestKit.Xunit2.TestKit
{
    private readonly FakeCompute _compute = new();
    private readonly FakeGuestRpc _guests = new();

    public InstanceActorSpec() : base(EntitySpecConfig.InMemory) { }

    private IActorRef Entity(string id, InstanceSettings? settings = null) =>
        Sys.ActorOf(InstanceActor.Props(id, _compute, _guests, Tenants.Ref, settings ?? new InstanceSettings()));

    /// <summary>A tenant region double that grants every reservation and release.</summary>
    private TestProbe Tenants => _tenants ??= CreateTenantsProbe();
    private TestProbe? _tenants;

    private TestProbe CreateTenantsProbe()
    {
        var probe = CreateTestProbe();
        probe.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is TenantCommands.ReleaseInstance)
                sender.Tell(TenantReplies.Released.Instance);
            if (message is TenantCommands.ReserveInstance)
                sender.Tell(TenantReplies.Reserved.Instance);
            return AutoPilot.KeepRunning;
        }));
        return probe;
    }

    private InstanceState StateOf(IActorRef entity, string id) =>
        Assert.IsType<InstanceReplies.Found>(entity.Ask<object>(new Get(id, "demo"), RemainingOrDefault).Result).State;

    private static ReportHeartbeat Heartbeat(string id, string status, int secondsFromNow = 0) =>
        new(id, status, DateTimeOffset.UtcNow.AddSeconds(secondsFromNow));

    [Fact]
    public void Create_queues_prepare_with_the_passwords_creates_the_server_and_answers_build()
    {
        var entity = Entity("i1");
        entity.Tell(new Create("i1", Requests.Postgres()), TestActor);

        var accepted = ExpectMsg<InstanceReplies.Accepted>();
        Assert.Equal("BUILD", accepted.State.Status);
        var (target, prepare) = Assert.Single(_guests.Casts);
        Assert.Equal("i1", target);
        Assert.Equal(GuestMethods.Prepare, prepare.Method);
        Assert.Equal("s3cret-pw", prepare.ArgsAs<PrepareArgs>().Users[0].Password);
        AwaitAssert(() => Assert.Equal(40000, StateOf(entity, "i1").Port));
        Assert.True(Assert.Single(_compute.Requested).StartsEngineAtOnce); // a plain create's engine need not wait for its prepare
    }

    [Fact]
    public void A_create_that_claimed_a_pool_server_makes_none_and_gives_the_guest_the_tenants_flavor()
    {
        var entity = Entity("p1");
        var request = Requests.Postgres();
        entity.Tell(new Create("p1", request, new Server("nova-p1", ServerStatus.Active, "127.42.0.9", 5432)), TestActor);

        Assert.True(ExpectMsg<InstanceReplies.Accepted>().State.FromPool);
        var prepare = Assert.Single(_guests.Casts).Message.ArgsAs<PrepareArgs>();
        Assert.Equal(new FlavorArgs(request.RamMb, request.VolumeSize), prepare.Flavor);
        Assert.Equal("s3cret-pw", prepare.Users[0].Password);
        AwaitAssert(() => Assert.Equal("nova-p1", StateOf(entity, "p1").ServerId));
        Assert.Equal(("127.42.0.9", 5432), (StateOf(entity, "p1").Address, StateOf(entity, "p1").Port));
        Assert.Empty(_compute.RequestedAll);
        Assert.Empty(_guests.GrantedBrokerUsers);
    }

    [Fact]
    public void The_shards_stop_message_waits_for_a_write_in_progress_to_be_persisted_and_answered()
    {
        var entity = Entity("i9");
        entity.Tell(new Create("i9", Requests.Postgres()), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        Watch(entity);

        // A handoff or passivation that lands while the rename is being persisted.
        entity.Tell(new Rename("i9", "demo", "renamed"), TestActor);
        entity.Tell(EntityShards.WorkerShards().HandOffStopMessage ?? PoisonPill.Instance);

        Assert.Equal("renamed", ExpectMsg<InstanceReplies.Accepted>().State.Name);
        ExpectTerminated(entity);
        Assert.Equal("renamed", StateOf(Entity("i9"), "i9").Name);
    }

    [Fact]
    public void When_prepare_cannot_be_queued_the_create_fails_and_nothing_is_kept()
    {
        _guests.FailCast = new InvalidOperationException("broker down");
        var entity = Entity("i2");
        entity.Tell(new Create("i2", Requests.Postgres()), TestActor);
        Assert.Contains("broker down", ExpectMsg<InstanceReplies.Failed>().Message);
        Assert.Empty(_compute.Servers);

        var again = Entity("i2");
        again.Tell(new Get("i2", "demo"), TestActor);
        ExpectMsg<InstanceReplies.NotFound>();
    }

    [Fact]
    public void A_healthy_heartbeat_makes_it_active_and_the_state_survives_a_restart()
    {
        var entity = Entity("i3");
        entity.Tell(new Create("i3", Requests.Postgres()), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        entity.Tell(Heartbeat("i3", ServiceStatusNames.Healthy), TestActor);
        ExpectMsg<InstanceReplies.HeartbeatAck>();
        Assert.Equal(("ACTIVE", "HEALTHY"), (StateOf(entity, "i3").Status, StateOf(entity, "i3").OperatingStatus));

        Watch(entity);
        Sys.Stop(entity);
        ExpectTerminated(entity);
        var recovered = Entity("i3");
        var state = StateOf(recovered, "i3");
        Assert.Equal(("ACTIVE", "HEALTHY", 40000), (state.Status, state.OperatingStatus, state.Port));
    }

    [Fact]
    public void A_build_that_does_not_become_active_in_time_ends_in_error_with_a_fault()
    {
        var entity = Entity("i4", new InstanceSettings { BuildTimeout = TimeSpan.FromMilliseconds(300) });
        entity.Tell(new Create("i4", Requests.Postgres()), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.Equal("ERROR", StateOf(entity, "i4").Status), TimeSpan.FromSeconds(5));
        Assert.Contains("did not become ACTIVE", StateOf(entity, "i4").Fault);

        entity.Tell(Heartbeat("i4", ServiceStatusNames.Healthy, 1), TestActor);
        ExpectMsg<InstanceReplies.HeartbeatAck>();
        Assert.Equal("ERROR", StateOf(entity, "i4").Status);
    }

    [Fact]
    public void A_failing_compute_driver_fails_the_build()
    {
        _compute.FailCreate = new InvalidOperationException("no capacity");
        var entity = Entity("i5");
        entity.Tell(new Create("i5", Requests.Postgres()), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.Contains("no capacity", StateOf(entity, "i5").Fault));
    }

    [Fact]
    public void A_build_survives_a_transient_server_creation_error_and_one_that_lasts_is_its_fault()
    {
        var settings = new InstanceSettings { ServerCreateRetries = 2, ServerCreateBackoff = TimeSpan.FromMilliseconds(50) };
        _compute.FailNext.Enqueue(new IOException("disk busy"));
        var survives = Entity("i5a", settings);
        survives.Tell(new Create("i5a", Requests.Postgres()), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.NotNull(StateOf(survives, "i5a").ServerId));
        Assert.Null(StateOf(survives, "i5a").Fault);

        _compute.FailCreate = new IOException("disk gone");
        var fails = Entity("i5b", settings);
        fails.Tell(new Create("i5b", Requests.Postgres()), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.Equal("Creating the server failed 3 times; the last time: disk gone", StateOf(fails, "i5b").Fault));
        Assert.Equal("ERROR", StateOf(fails, "i5b").Status);
    }

    [Fact]
    public void Missing_heartbeats_turn_operating_status_to_error_until_one_arrives()
    {
        var entity = Entity("i6", new InstanceSettings { HeartbeatExpiry = TimeSpan.FromMilliseconds(400) });
        entity.Tell(new Create("i6", Requests.Postgres()), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        entity.Tell(Heartbeat("i6", ServiceStatusNames.Healthy), TestActor);
        ExpectMsg<InstanceReplies.HeartbeatAck>();

        AwaitAssert(() => Assert.Equal("ERROR", StateOf(entity, "i6").OperatingStatus), TimeSpan.FromSeconds(5));
        Assert.Equal("ACTIVE", StateOf(entity, "i6").Status);

        entity.Tell(Heartbeat("i6", ServiceStatusNames.Healthy, 1), TestActor);
        ExpectMsg<InstanceReplies.HeartbeatAck>();
        Assert.Equal("HEALTHY", StateOf(entity, "i6").OperatingStatus);
    }

    /// <summary>The node's conductors, as this test says they are (a conductor not heard of for 5 s counts no more).</summary>
    private readonly ConductorClock _conductors = new();

    private void ConductorsBehindBy(TimeSpan lag) => _conductors.Heard("conductor-1", lag, DateTimeOffset.UtcNow);

    /// <summary>An ACTIVE instance on this node's conductor clock whose guest has just been heard of.</summary>
    private IActorRef HeardOf(string id, TimeSpan expiry)
    {
        var entity = Sys.ActorOf(InstanceActor.Props(id, _compute, _guests, Tenants.Ref, new InstanceSettings { HeartbeatExpiry = expiry },
            conductorClock: _conductors));
        entity.Tell(new Create(id, Requests.Postgres()), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        entity.Tell(Heartbeat(id, ServiceStatusNames.Healthy), TestActor);
        ExpectMsg<InstanceReplies.HeartbeatAck>();
        return entity;
    }

    [Fact]
    public void A_heartbeat_handled_late_while_the_conductors_are_behind_does_not_expire_its_guest_and_a_silent_one_still_does()
    {
        var expiry = TimeSpan.FromMilliseconds(400);
        var entity = HeardOf("i6b", expiry);

        // The conductors fall a minute behind: the guest's next heartbeat may be in the queue, however long it waits.
        ConductorsBehindBy(TimeSpan.FromMinutes(1));
        ExpectNoMsg(expiry * 4);
        Assert.Equal("HEALTHY", StateOf(entity, "i6b").OperatingStatus);
        ConductorsBehindBy(TimeSpan.FromMinutes(1));
        entity.Tell(Heartbeat("i6b", ServiceStatusNames.Healthy, 1), TestActor); // its next one, late
        ExpectMsg<InstanceReplies.HeartbeatAck>();
        Assert.Equal("HEALTHY", StateOf(entity, "i6b").OperatingStatus);

        // Caught up, and nothing more from the guest within the expiry of that heartbeat: it is lost.
        ConductorsBehindBy(TimeSpan.Zero);
        AwaitAssert(() => Assert.Equal("ERROR", StateOf(entity, "i6b").OperatingStatus), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_guest_silent_while_the_conductors_fell_behind_and_caught_up_is_lost_within_the_expiry_of_their_catching_up()
    {
        var expiry = TimeSpan.FromMilliseconds(400);
        var entity = HeardOf("i6d", expiry);
        ConductorsBehindBy(TimeSpan.FromMinutes(1));
        ExpectNoMsg(expiry * 2); // looked at while a minute behind: not lost yet

        ConductorsBehindBy(TimeSpan.Zero); // caught up at once, nothing from the guest: not a minute more to wait
        AwaitAssert(() => Assert.Equal("ERROR", StateOf(entity, "i6d").OperatingStatus), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_guest_silent_while_the_conductors_keep_pace_a_minute_behind_is_lost()
    {
        ConductorsBehindBy(TimeSpan.FromMinutes(1));
        var entity = HeardOf("i6c", TimeSpan.FromMilliseconds(400));

        AwaitAssert(() =>
        {
            ConductorsBehindBy(TimeSpan.FromMinutes(1));
            Assert.Equal("ERROR", StateOf(entity, "i6c").OperatingStatus);
        }, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Delete_stops_the_engine_removes_the_server_and_the_queue_then_answers_not_found()
    {
        var entity = Entity("i7");
        entity.Tell(new Create("i7", Requests.Postgres()), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.NotNull(StateOf(entity, "i7").ServerId));

        entity.Tell(new Delete("i7", "demo"), TestActor);
        Assert.Equal("SHUTDOWN", ExpectMsg<InstanceReplies.Accepted>().State.Status);
        AwaitAssert(() => Assert.Contains("i7", _guests.DeletedQueues));
        AwaitAssert(() => Assert.Contains("i7", _guests.DeletedBrokerUsers));
        Assert.Contains("i7", _compute.Deleted);
        Assert.Contains(_guests.Calls, c => c.Message.Method == GuestMethods.StopDb);
        Tenants.FishForMessage(m => m is TenantCommands.ReleaseInstance { InstanceId: "i7" });
        AwaitAssert(() => Assert.IsType<InstanceReplies.NotFound>(entity.Ask<object>(new Get("i7", "demo"), RemainingOrDefault).Result));

        var after = Entity("i7");
        after.Tell(new Get("i7", "demo"), TestActor);
        ExpectMsg<InstanceReplies.NotFound>();
    }

    [Fact]
    public void A_delete_during_the_build_waits_for_the_server_being_made_and_removes_it()
    {
        _compute.Hold = new TaskCompletionSource();
        _compute.IgnoresCancel = true; // a driver that reports nothing before its server is made, and makes it whatever
        var entity = Entity("i10");
        entity.Tell(new Create("i10", Requests.Postgres()), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitCondition(() => !_compute.RequestedAll.IsEmpty);

        entity.Tell(new Delete("i10", "demo"), TestActor);
        Assert.Equal("SHUTDOWN", ExpectMsg<InstanceReplies.Accepted>().State.Status);
        Assert.Empty(_compute.Deleted); // the server is still being made
        _compute.Hold.SetResult();

        AwaitAssert(() => Assert.Contains("i10", _compute.Deleted));
        Assert.Empty(_compute.Servers);
        AwaitAssert(() => Assert.Contains("i10", _guests.DeletedBrokerUsers));
        Tenants.FishForMessage(m => m is TenantCommands.ReleaseInstance { InstanceId: "i10" });
    }

    [Fact]
    public void A_delete_during_the_build_cancels_the_creation_and_removes_what_the_cloud_had_accepted()
    {
        _compute.StepsBeforeCreate = [new ServerStep.ServerAccepted("nova-11")];
        _compute.Hold = new TaskCompletionSource(); // never released: only the cancel ends this creation
        var entity = Entity("i11");
        entity.Tell(new Create("i11", Requests.Postgres()), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitCondition(() => !_compute.RequestedAll.IsEmpty);

        entity.Tell(new Delete("i11", "demo"), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.Contains("nova-11", _compute.Deleted));
        AwaitAssert(() => Assert.Contains("i11", _guests.DeletedBrokerUsers));
        Assert.Empty(_compute.Requested);
        AwaitAssert(() => Assert.IsType<InstanceReplies.NotFound>(entity.Ask<object>(new Get("i11", "demo"), RemainingOrDefault).Result));
    }

    [Fact]
    public void A_build_interrupted_by_a_restart_resumes_and_creates_the_server()
    {
        _compute.Hold = new TaskCompletionSource();
        var entity = Entity("i8");
        entity.Tell(new Create("i8", Requests.Postgres()), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        Watch(entity);
        Sys.Stop(entity);
        ExpectTerminated(entity);
        Assert.Empty(_compute.Servers);

        _compute.Hold = null;
        var resumed = Entity("i8");
        AwaitAssert(() => Assert.Equal(40000, StateOf(resumed, "i8").Port));
        Assert.Equal("BUILD", StateOf(resumed, "i8").Status);
        Assert.Single(_guests.Casts); // prepare was queued once, at create; a resumed build does not repeat it
        Assert.True(Assert.Single(_compute.Requested).StartsEngineAtOnce);
    }

    [Fact]
    public void What_the_cloud_made_is_journaled_at_once_resumed_by_id_and_removed_by_a_delete_even_of_a_failed_build()
    {
        _compute.StepsBeforeCreate = [new ServerStep.ServerAccepted("nova-1"), new ServerStep.VolumeMade("cinder-1")];
        _compute.Hold = new TaskCompletionSource();
        var entity = Entity("i9");
        entity.Tell(new Create("i9", Requests.Postgres()), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.Equal(("nova-1", "cinder-1"), (StateOf(entity, "i9").AcceptedServerId, StateOf(entity, "i9").VolumeId)));
        Watch(entity);
        Sys.Stop(entity);
        ExpectTerminated(entity);

        _compute.StepsBeforeCreate = [];
        _compute.Hold = null;
        _compute.FailCreate = new InvalidOperationException("No valid host was found.");
        var resumed = Entity("i9");
        AwaitAssert(() => Assert.Equal("ERROR", StateOf(resumed, "i9").Status));
        var retried = _compute.RequestedAll.Last(s => s.InstanceId == "i9");
        Assert.Equal(("nova-1", "cinder-1"), (retried.KnownServerId, retried.KnownVolumeId));

        resumed.Tell(new Delete("i9", "demo"), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.Contains("nova-1", _compute.Deleted));
    }
}
