using System.Collections.Concurrent;
using Akka.Actor;
using Akka.TestKit;
using Trove.Actors.Instances;
using Trove.Actors.Tenants;
using Trove.Contracts.Guests;
using Trove.Tests.Support;
using static Trove.Actors.Instances.InstanceCommands;

namespace Trove.Tests.Instances;

/// <summary>Attaching and detaching a configuration group is one ask of the instance entity, which reads the group,
/// checks it, journals the change before its guest applies it, and finishes it after a crash in between.</summary>
public sealed class InstanceConfigurationSpec : Akka.TestKit.Xunit2.TestKit
{
    private sealed class Groups : IConfigurationGroups
    {
        public ConcurrentDictionary<string, ConfigurationGroup> All { get; } = new();

        public Task<ConfigurationGroup?> FindAsync(string tenantId, string configurationId, CancellationToken ct = default) =>
            Task.FromResult(tenantId == "demo" && All.TryGetValue(configurationId, out var group) ? group : null);
    }

    private readonly FakeCompute _compute = new();
    private readonly FakeGuestRpc _guests = new();
    private readonly Groups _groups = new();
    private readonly TestProbe _tenants;

    public InstanceConfigurationSpec() : base(EntitySpecConfig.InMemory)
    {
        _tenants = CreateTestProbe();
        _tenants.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is TenantCommands.ReserveInstance)
                sender.Tell(TenantReplies.Reserved.Instance);
            return AutoPilot.KeepRunning;
        }));
        _groups.All["c1"] = new ConfigurationGroup("c1", "postgresql", "15", new Dictionary<string, string> { ["work_mem"] = "4096" }, false, 7);
        _groups.All["restart"] = new ConfigurationGroup("restart", "postgresql", "15", new Dictionary<string, string> { ["max_connections"] = "50" }, true, 8);
        _groups.All["maria"] = new ConfigurationGroup("maria", "mariadb", "10.11", new Dictionary<string, string> { ["max_connections"] = "50" }, false, 9);
    }

    private IActorRef Entity(string id) => Sys.ActorOf(InstanceActor.Props(id, _compute, _guests, _tenants.Ref, new InstanceSettings(), _groups));

    private IActorRef ActiveInstance(string id)
    {
        var entity = Entity(id);
        entity.Tell(new Create(id, Requests.Postgres()), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.NotNull(StateOf(entity, id).ServerId));
        entity.Tell(new ReportHeartbeat(id, ServiceStatusNames.Healthy, DateTimeOffset.UtcNow), TestActor);
        ExpectMsg<InstanceReplies.HeartbeatAck>();
        return entity;
    }

    private InstanceState StateOf(IActorRef entity, string id) =>
        Assert.IsType<InstanceReplies.Found>(entity.Ask<InstanceReply>(new Get(id, "demo"), RemainingOrDefault).Result).State;

    private List<IReadOnlyDictionary<string, string>> OverridesSent() => _guests.Calls
        .Where(c => c.Message.Method == GuestMethods.UpdateOverrides)
        .Select(c => c.Message.ArgsAs<UpdateOverridesArgs>().Overrides).ToList();

    [Fact]
    public void Attach_then_detach_each_in_one_ask_applies_the_group_s_values_and_keeps_its_revision()
    {
        var entity = ActiveInstance("c-1");

        entity.Tell(new SetConfiguration("c-1", "demo", "c1"), TestActor);
        var attached = ExpectMsg<InstanceReplies.Accepted>().State;
        Assert.Equal(("c1", 7L, "ACTIVE"), (attached.ConfigurationId, attached.ConfigurationRevision, attached.Status));
        Assert.Equal("4096", Assert.Single(OverridesSent())["work_mem"]);

        entity.Tell(new SetConfiguration("c-1", "demo", null), TestActor);
        var detached = ExpectMsg<InstanceReplies.Accepted>().State;
        Assert.Null(detached.ConfigurationId);
        Assert.Empty(OverridesSent()[1]);
    }

    [Fact]
    public void A_group_that_needs_a_restart_leaves_the_instance_restart_required_on_attach_and_on_detach()
    {
        var entity = ActiveInstance("c-2");
        entity.Tell(new SetConfiguration("c-2", "demo", "restart"), TestActor);
        Assert.Equal("RESTART_REQUIRED", ExpectMsg<InstanceReplies.Accepted>().State.Status);
        entity.Tell(new SetConfiguration("c-2", "demo", null), TestActor);
        Assert.Equal("RESTART_REQUIRED", ExpectMsg<InstanceReplies.Accepted>().State.Status);
    }

    [Fact]
    public void What_does_not_fit_is_refused_before_the_guest_is_told_and_changes_nothing()
    {
        var entity = ActiveInstance("c-3");
        var before = StateOf(entity, "c-3");

        entity.Tell(new SetConfiguration("c-3", "demo", null), TestActor);
        Assert.Contains("has no configuration group to detach", ExpectMsg<InstanceReplies.Invalid>().Message);
        entity.Tell(new SetConfiguration("c-3", "demo", "nope"), TestActor);
        Assert.Equal("nope", ExpectMsg<InstanceReplies.ConfigurationNotFound>().ConfigurationId);
        entity.Tell(new SetConfiguration("c-3", "demo", "maria"), TestActor);
        Assert.Contains("is for mariadb 10.11", ExpectMsg<InstanceReplies.Invalid>().Message);
        entity.Tell(new SetConfiguration("c-3", "other-tenant", "c1"), TestActor);
        ExpectMsg<InstanceReplies.NotFound>();
        Assert.Empty(OverridesSent());
        Assert.Equal(before, StateOf(entity, "c-3"));

        entity.Tell(new SetConfiguration("c-3", "demo", "c1"), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        entity.Tell(new SetConfiguration("c-3", "demo", "restart"), TestActor);
        Assert.Contains("already has configuration group c1", ExpectMsg<InstanceReplies.Invalid>().Message);
    }

    [Fact]
    public void A_change_the_guest_refuses_is_abandoned_and_the_next_one_goes_through()
    {
        var entity = ActiveInstance("c-4");
        _guests.FailCall = new RpcException("bad value", RpcFailureKinds.Invalid);

        entity.Tell(new SetConfiguration("c-4", "demo", "c1"), TestActor);
        Assert.Equal("bad value", ExpectMsg<InstanceReplies.GuestFailed>().Message);
        Assert.Null(StateOf(entity, "c-4").ConfigurationId);

        _guests.FailCall = null;
        entity.Tell(new SetConfiguration("c-4", "demo", "c1"), TestActor);
        Assert.Equal("c1", ExpectMsg<InstanceReplies.Accepted>().State.ConfigurationId);
    }

    [Fact]
    public void A_node_that_stops_while_the_guest_applies_the_change_applies_it_again_when_the_entity_starts()
    {
        var entity = ActiveInstance("c-5");
        var guestAnswers = new TaskCompletionSource();
        _guests.CallGate = guestAnswers.Task;

        entity.Tell(new SetConfiguration("c-5", "demo", "c1"), TestActor);
        AwaitAssert(() => Assert.Single(OverridesSent()));
        Watch(entity);
        Sys.Stop(entity); // the node stops: the change is journaled, its end is not
        ExpectTerminated(entity);

        var recovered = Entity("c-5");
        AwaitAssert(() => Assert.Equal(2, OverridesSent().Count)); // told again once the entity started
        Assert.Null(StateOf(recovered, "c-5").ConfigurationId);
        guestAnswers.SetResult();
        AwaitAssert(() => Assert.Equal(("c1", 7L), (StateOf(recovered, "c-5").ConfigurationId, StateOf(recovered, "c-5").ConfigurationRevision)));
        Assert.All(OverridesSent(), o => Assert.Equal("4096", o["work_mem"]));

        recovered.Tell(new SetConfiguration("c-5", "demo", null), TestActor); // nothing is left under way
        Assert.Null(ExpectMsg<InstanceReplies.Accepted>().State.ConfigurationId);
    }

    private PrepareArgs PrepareSent(string id) => _guests.Casts
        .Where(c => c.InstanceId == id && c.Message.Method == GuestMethods.Prepare).Select(c => c.Message.ArgsAs<PrepareArgs>()).Single();

    [Fact]
    public void A_group_given_at_create_goes_to_the_guest_s_prepare_and_is_attached_from_the_start()
    {
        var entity = Entity("c-6");
        entity.Tell(new Create("c-6", Requests.Postgres() with { ConfigurationId = "restart" }), TestActor);
        var created = ExpectMsg<InstanceReplies.Accepted>().State;
        Assert.Equal(("restart", 8L), (created.ConfigurationId, created.ConfigurationRevision));

        var prepare = PrepareSent("c-6");
        Assert.Equal("50", prepare.Overrides!["max_connections"]);
        Assert.True(prepare.OverridesNeedRestart);
        Assert.Empty(OverridesSent()); // applied by the prepare itself, not by a later attach

        AwaitAssert(() => Assert.NotNull(StateOf(entity, "c-6").ServerId));
        entity.Tell(new ReportHeartbeat("c-6", ServiceStatusNames.Healthy, DateTimeOffset.UtcNow), TestActor);
        ExpectMsg<InstanceReplies.HeartbeatAck>();
        Assert.Equal("restart", StateOf(entity, "c-6").ConfigurationId);
        entity.Tell(new SetConfiguration("c-6", "demo", null), TestActor); // attached: it can be detached
        Assert.Null(ExpectMsg<InstanceReplies.Accepted>().State.ConfigurationId);
    }

    [Fact]
    public void A_group_refused_at_create_answers_as_an_attach_would_and_reserves_nothing()
    {
        var reserved = 0;
        _tenants.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is TenantCommands.ReserveInstance)
                Interlocked.Increment(ref reserved);
            return AutoPilot.KeepRunning;
        }));
        var entity = Entity("c-7");

        entity.Tell(new Create("c-7", Requests.Postgres() with { ConfigurationId = "nope" }), TestActor);
        Assert.Equal("nope", ExpectMsg<InstanceReplies.ConfigurationNotFound>().ConfigurationId);
        entity.Tell(new Create("c-7", Requests.Postgres() with { ConfigurationId = "maria" }), TestActor);
        Assert.Contains("is for mariadb 10.11", ExpectMsg<InstanceReplies.Invalid>().Message);
        entity.Tell(new Create("c-7", Requests.Postgres("other-tenant") with { ConfigurationId = "c1" }), TestActor);
        Assert.Equal("c1", ExpectMsg<InstanceReplies.ConfigurationNotFound>().ConfigurationId); // another tenant's group

        entity.Tell(new Get("c-7", "demo"), TestActor);
        ExpectMsg<InstanceReplies.NotFound>();
        Assert.Equal(0, reserved);
        Assert.Empty(_guests.Casts);
    }
}
