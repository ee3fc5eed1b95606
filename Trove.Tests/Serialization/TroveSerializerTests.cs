using Trove.Actors.Hosting;
using Akka.Actor;
using Akka.Serialization;
using Trove.Actors.Instances;
using Trove.Actors.Serialization;
using Trove.Actors.Sharding;
using Trove.Tests.Support;
using Trove.Contracts.Guests;

namespace Trove.Tests.Serialization;

public sealed class TroveSerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("serializer-tests", "akka.loglevel = WARNING");
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    public void Dispose() => _system.Dispose();

    public static TheoryData<object> Samples()
    {
        var created = new InstanceEvents.Created("i1", "demo", "pg1", "small", 512, 1, "postgresql", "15",
            [new DatabaseSpec("appdb", "UTF8")], ["app"], T0);
        return new TheoryData<object>
        {
            created,
            new InstanceEvents.ServerCreated("i1", "127.0.0.1", 5433, T0),
            new InstanceEvents.ServiceStatusChanged(ServiceStatusNames.Healthy, T0, T0),
            new InstanceEvents.BuildCompleted(T0),
            new InstanceEvents.BuildFailed("boom", T0),
            new InstanceEvents.DeleteRequested(T0),
            new InstanceEvents.Deleted(T0),
            new InstanceEvents.GuestFaultChanged("The volume is full", T0),
            InstanceState.Apply(null, created),
            new InstanceCommands.Create("i1", Requests.Postgres()),
            new InstanceCommands.ReportHeartbeat("i1", ServiceStatusNames.Healthy, T0),
            new Trove.Actors.Conductor.ConductorLagReported("akka.tcp://trove@127.0.0.1:4053", TimeSpan.FromSeconds(61.5)),
            new InstanceCommands.SetConfiguration("i1", "demo", "c1"),
            new InstanceCommands.SetConfiguration("i1", "demo", null),
            new InstanceReplies.ConfigurationNotFound("c1"),
            new ConfigurationEvents.Requested("c1", new Dictionary<string, string> { ["work_mem"] = "4096" }, true, 42, T0),
            new ConfigurationEvents.Requested(null, new Dictionary<string, string>(), false, null, T0),
            new ConfigurationEvents.Abandoned("the guest failed", T0),
            new InstanceCommands.GetConfiguration("i1", "demo"),
            new InstanceReplies.ConfigurationRead(new Dictionary<string, string> { ["work_mem"] = "4096" }),
            new Asked(new InstanceCommands.Resize("i1", "demo", 2, null, null), "u1", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
            new Asked(new Trove.Actors.Backups.BackupCommands.Delete("b1", "demo"), "u1", null),
            new InstanceEvents.ConfigurationAttached("c1", false, T0, 42, "u1"),
            created with { ReplicaOf = "i0" },
            new InstanceEvents.ReplicaAttached("i2", T0),
            new InstanceEvents.ReplicaDropped("i2", T0),
            new InstanceCommands.AttachReplica("i1", "demo", "i2"),
            new InstanceCommands.DropReplica("i1", "i2"),
            new InstanceReplies.ReplicaSourceReady(InstanceState.Apply(null, created),
                new ReplicaSource("127.0.0.2", 5432, "trove_repl_i2", "secret", "trove_replica_i2")),
            new InstanceReplies.Forbidden("Detach replicas before deleting replica source."),
            new InstanceCommands.DetachReplica("i2", "demo"),
            new InstanceEvents.DetachStarted(T0),
            new InstanceEvents.DetachCompleted(null, T0),
            new InstanceCommands.PromoteToReplicaSource("i2", "demo"),
            new InstanceCommands.SwitchOver("i1", "demo", "i2", "u1"),
            new InstanceCommands.EjectReplicaSource("i1", "demo"),
            new InstanceCommands.JoinPromotion("i2", "i1", Promotion.Kinds.Switchover),
            new InstanceCommands.ChangeReplicaSet("i2", "i1", null, ["i1"], null),
            new InstanceEvents.PromotionStarted(Promotion.Kinds.Failover, null, ["i2", "i3"], T0, "u1"),
            new InstanceEvents.PromotionJoined("i1", Promotion.Kinds.Failover, T0),
            new InstanceEvents.PromotionMembersJoined(T0),
            new InstanceEvents.PromotionCandidateChosen("i2", "0/3000060", T0),
            new InstanceEvents.SourceFenced("0/3000060", T0),
            new InstanceEvents.SourceFenced(null, T0, "0-7-42"),
            new InstanceEvents.PromotionCandidateChosen("i2", null, T0, "0-7-42"),
            new InstanceEvents.CandidatePromoted(T0),
            new InstanceEvents.PromotionMemberMoved("i3", "the guest did not answer", T0),
            new InstanceEvents.PromotionFailed("the candidate lagged", T0),
            new InstanceEvents.ReplicaSetChanged("i2", [], null, T0),
            InstanceState.Apply(InstanceState.Apply(null, created), new InstanceEvents.PromotionStarted(Promotion.Kinds.Switchover, "i2", ["i2"], T0))
                with { PromotedBy = "i0" },
        };
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Round_trips_through_the_serializer_bound_by_configuration(object message)
    {
        var serializer = new TroveSerializer((ExtendedActorSystem)_system, TroveNodeExtensions.Manifests);
        var manifest = serializer.Manifest(message);
        var back = serializer.FromBinary(serializer.ToBinary(message), manifest);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(message, message.GetType()), System.Text.Json.JsonSerializer.Serialize(back, back.GetType()));
    }

    [Fact]
    public void Every_message_bound_to_the_serializer_has_a_manifest_in_its_family()
    {
        var bound = typeof(ITroveMessage).Assembly.GetTypes()
            .Where(t => typeof(ITroveMessage).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false });
        Assert.Empty(bound.Except(TroveNodeExtensions.Manifests.Types));
    }

    [Fact]
    public void Every_known_type_has_its_own_manifest()
    {
        var serializer = new TroveSerializer((ExtendedActorSystem)_system, TroveNodeExtensions.Manifests);
        Assert.Equal(TroveNodeExtensions.Manifests.Types.Count(), TroveNodeExtensions.Manifests.Types.Distinct().Count());
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary([], "no-such-manifest"));
    }

    /// <summary>A promotion journaled before MariaDB's (PostgreSQL's LSN alone) reads on, fenced at that LSN.</summary>
    [Fact]
    public void An_earlier_releases_fence_reads_as_a_position_without_a_gtid()
    {
        var serializer = new TroveSerializer((ExtendedActorSystem)_system, TroveNodeExtensions.Manifests);
        var fenced = Assert.IsType<InstanceEvents.SourceFenced>(serializer.FromBinary(
            """{"Lsn":"0/3000060","At":"2026-12-05T04:49:05.31+00:00"}"""u8.ToArray(), "instance.source-fenced.v1"));
        var promotion = new Promotion(Promotion.Kinds.Switchover, "i2", ["i2"], Joined: true).Apply(fenced);
        Assert.Equal(new ReplicationPosition("0/3000060", false), promotion.FencedAt());
    }

    /// <summary>A node of release d88d1e5 wrote, and sends, backup reports and events without a fault: they still read,
    /// and a FAILED one replays as failed without a reason.</summary>
    [Fact]
    public void An_earlier_releases_backup_report_and_failed_event_read_without_a_fault()
    {
        var serializer = new TroveSerializer((ExtendedActorSystem)_system, TroveNodeExtensions.Manifests);
        var report = Assert.IsType<Trove.Actors.Backups.BackupCommands.Report>(serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(
            """{"BackupId":"b1","InstanceId":"i1","State":"FAILED","Size":null,"Checksum":null,"Sent":"2026-12-05T04:49:05.31+00:00"}"""), "backup.report"));
        Assert.Null(report.Fault);

        var progressed = Assert.IsType<Trove.Actors.Backups.BackupEvents.Progressed>(serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(
            """{"State":"FAILED","Size":null,"Checksum":null,"Location":null,"Sent":"2026-12-05T04:49:05.31+00:00","At":"2026-12-05T04:49:05.3616564+00:00"}"""),
            "backup.progressed.v1"));
        Assert.Null(progressed.Fault);
        var created = new Trove.Actors.Backups.BackupEvents.Created("b1",
            new Trove.Actors.Backups.BackupRequest("demo", "i1", "nightly", null, null, "postgresql", "15"), T0);
        var state = Trove.Actors.Backups.BackupState.Apply(Trove.Actors.Backups.BackupState.Apply(null, created), progressed)!;
        Assert.Equal((BackupStatus.Failed, Trove.Actors.Backups.BackupState.FailedWithoutReason), (state.Status, state.Fault));
    }
}
