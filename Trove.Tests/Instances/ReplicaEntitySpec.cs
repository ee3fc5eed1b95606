using Akka.Actor;
using Akka.TestKit;
using Trove.Actors.Compute;
using Trove.Actors.Instances;
using Trove.Actors.Tenants;
using Trove.Contracts.Guests;
using Trove.Tests.Support;
using static Trove.Actors.Instances.InstanceCommands;

namespace Trove.Tests.Instances;

/// <summary>A replica's entity: it asks its source's entity (a probe standing for the instance region) for what it streams
/// with, queues it in its guest's prepare only, and keeps what its heartbeats say of its lag.</summary>
public class ReplicaEntitySpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly ReplicaSource Connection = new("127.42.0.9", 5432, "trove_repl_r1", "s3cret-repl", "trove_replica_r1");

    private readonly FakeGuestRpc _guests = new();
    private readonly TestProbe _instances;
    private readonly TestProbe _tenants;

    public ReplicaEntitySpec() : base(EntitySpecConfig.InMemory)
    {
        _instances = CreateTestProbe();
        _tenants = CreateTestProbe();
        _tenants.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            sender.Tell(message is TenantCommands.ReserveInstance ? TenantReplies.Reserved.Instance : TenantReplies.Released.Instance);
            return AutoPilot.KeepRunning;
        }));
    }

    private readonly FakeCompute _compute = new();

    private IActorRef Entity(string id) =>
        Sys.ActorOf(InstanceActor.Props(id, _compute, _guests, _tenants.Ref, new InstanceSettings(), instances: _instances.Ref));

    private static Create AskReplica() => new("r1", new InstanceRequest("demo", "replica", "", 0, 0, "", "", [], [], ReplicaOf: "src"));

    private static InstanceState Source() => InstanceState.Apply(null, (InstanceEvents.Created)InstanceDecisions.Create(null,
        new Create("src", Requests.Postgres() with { FlavorId = "medium", RamMb = 1024, VolumeSize = 3 }), DateTimeOffset.UtcNow).Events[0]);

    [Fact]
    public void A_replica_asks_its_source_takes_its_flavor_and_gives_its_guest_the_connection_through_prepare_only()
    {
        var entity = Entity("r1");
        entity.Tell(AskReplica(), TestActor);

        var attach = _instances.ExpectMsg<AttachReplica>();
        Assert.Equal(("src", "demo", "r1"), (attach.InstanceId, attach.TenantId, attach.ReplicaId));
        _instances.Reply(new InstanceReplies.ReplicaSourceReady(Source(), Connection));

        var accepted = ExpectMsg<InstanceReplies.Accepted>();
        Assert.Equal(("src", "medium", 3, "BUILD"), (accepted.State.ReplicaOf, accepted.State.FlavorId, accepted.State.VolumeSize, accepted.State.Status));
        var (_, prepare) = Assert.Single(_guests.Casts);
        Assert.Equal(Connection, prepare.ArgsAs<PrepareArgs>().ReplicaOf);
        AwaitAssert(() => Assert.False(Assert.Single(_compute.Requested).StartsEngineAtOnce)); // its data comes from its source

        entity.Tell(new ReportHeartbeat("r1", ServiceStatusNames.Healthy, DateTimeOffset.UtcNow, ReplicationLag: 1.5), TestActor);
        ExpectMsg<InstanceReplies.HeartbeatAck>();
        entity.Tell(new Get("r1", "demo"), TestActor);
        Assert.Equal(1.5, ExpectMsg<InstanceReplies.Found>().ReplicationLag);
    }

    [Fact]
    public void The_source_s_refusal_is_the_answer_and_nothing_is_reserved_or_queued()
    {
        var entity = Entity("r1");
        entity.Tell(AskReplica(), TestActor);
        _instances.ExpectMsg<AttachReplica>();
        _instances.Reply(new InstanceReplies.Forbidden("Cannot create a replica of a replica src."));

        Assert.Equal("Cannot create a replica of a replica src.", ExpectMsg<InstanceReplies.Forbidden>().Message);
        Assert.Empty(_guests.Casts);
        _tenants.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        entity.Tell(new Get("r1", "demo"), TestActor);
        ExpectMsg<InstanceReplies.NotFound>();
    }

    [Fact]
    public void A_replica_whose_quota_is_refused_has_its_source_forget_it()
    {
        _tenants.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            sender.Tell(message is TenantCommands.ReserveInstance ? new TenantReplies.QuotaExceeded(["instances"]) : TenantReplies.Released.Instance);
            return AutoPilot.KeepRunning;
        }));
        var entity = Entity("r1");
        entity.Tell(AskReplica(), TestActor);
        _instances.ExpectMsg<AttachReplica>();
        _instances.Reply(new InstanceReplies.ReplicaSourceReady(Source(), Connection));

        ExpectMsg<InstanceReplies.QuotaExceeded>();
        Assert.Equal(new DropReplica("src", "r1"), _instances.ExpectMsg<DropReplica>());
    }
}
