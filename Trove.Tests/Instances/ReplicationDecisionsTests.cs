using Trove.Actors.Instances;
using Trove.Contracts.Datastores;
using Trove.Contracts.Guests;
using Trove.Tests.Support;
using static Trove.Actors.Instances.InstanceEvents;

namespace Trove.Tests.Instances;

public class ReplicationDecisionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 4, 0, 0, TimeSpan.Zero);
    private static readonly ReplicaSource Connection = new("127.0.0.2", 5432, "trove_repl_r1", "s3cret-repl", "trove_replica_r1");

    private static InstanceState Running(InstanceRequest request, string id = "src", string? replicaOf = null)
    {
        var created = (Created)InstanceDecisions.Create(null, new InstanceCommands.Create(id, request with { ReplicaOf = replicaOf }), T0).Events[0];
        return new IInstanceEvent[]
        {
            new ServerCreated("server-1", "127.0.0.2", 5432, T0), new ServiceStatusChanged(ServiceStatusNames.Healthy, T0, T0), new BuildCompleted(T0),
        }.Aggregate(InstanceState.Apply(null, created), InstanceState.Apply);
    }

    private static InstanceCommands.AttachReplica Attach(string source = "src") => new(source, Requests.Postgres().TenantId, "r1");

    [Fact]
    public void A_running_postgresql_instance_of_the_tenant_may_get_a_replica()
    {
        Assert.Null(ReplicationDecisions.CanAttach(Running(Requests.Postgres()), Attach()));
    }

    [Fact]
    public void A_replica_of_a_replica_is_forbidden_as_upstream()
    {
        var refusal = ReplicationDecisions.CanAttach(Running(Requests.Postgres(), replicaOf: "other"), Attach());
        Assert.Equal("Cannot create a replica of a replica src.", Assert.IsType<InstanceReplies.Forbidden>(refusal).Message);
    }

    public static TheoryData<string> ManagedDatastores => new(DatastoreProfiles.All.Select(p => p.Name));

    [Theory]
    [MemberData(nameof(ManagedDatastores))]
    public void A_source_of_every_managed_datastore_may_get_a_replica(string datastore)
    {
        Assert.Null(ReplicationDecisions.CanAttach(Running(Requests.Postgres() with { Datastore = datastore }), Attach()));
    }

    [Fact]
    public void A_source_of_a_datastore_no_guest_manages_is_refused_with_a_clear_bad_request()
    {
        var refusal = ReplicationDecisions.CanAttach(Running(Requests.Postgres() with { Datastore = "cassandra", DatastoreVersion = "4" }), Attach());
        Assert.Equal("Replication is not supported for the 'cassandra' datastore.", Assert.IsType<InstanceReplies.Invalid>(refusal).Message);
    }

    [Fact]
    public void Another_tenant_s_or_an_unknown_source_is_not_found()
    {
        Assert.IsType<InstanceReplies.NotFound>(ReplicationDecisions.CanAttach(null, Attach()));
        Assert.IsType<InstanceReplies.NotFound>(ReplicationDecisions.CanAttach(Running(Requests.Postgres()), Attach() with { TenantId = "someone-else" }));
    }

    [Fact]
    public void A_source_still_building_cannot_get_a_replica_yet()
    {
        var building = InstanceState.Apply(null, (Created)InstanceDecisions.Create(null, new InstanceCommands.Create("src", Requests.Postgres()), T0).Events[0]);
        Assert.IsType<InstanceReplies.Refused>(ReplicationDecisions.CanAttach(building, Attach()));
    }

    [Fact]
    public void The_source_lists_its_replica_once_and_its_events_never_hold_the_replication_password()
    {
        var source = Running(Requests.Postgres());
        var decision = ReplicationDecisions.Attached(source, "r1", Connection, T0);
        var attached = Assert.IsType<ReplicaAttached>(Assert.Single(decision.Events));
        Assert.DoesNotContain("s3cret-repl", System.Text.Json.JsonSerializer.Serialize(attached));
        Assert.DoesNotContain("s3cret-repl", decision.Reply!.ToString());
        var listed = InstanceState.Apply(source, attached);
        Assert.Equal(["r1"], listed.ReplicaIds);
        Assert.Empty(ReplicationDecisions.Attached(listed, "r1", Connection, T0).Events); // asked again: journaled once
    }

    [Fact]
    public void A_replica_takes_its_source_s_flavor_volume_and_datastore_and_journals_whose_replica_it_is()
    {
        var source = Running(Requests.Postgres() with { FlavorId = "medium", RamMb = 1024, VolumeSize = 3 });
        var ask = new InstanceCommands.Create("r1", new InstanceRequest(source.TenantId, "replica", "", 0, 0, "", "", [], [], ReplicaOf: "src"));
        var (create, refusal) = ReplicationDecisions.AsReplica(ask, new InstanceReplies.ReplicaSourceReady(source, Connection));
        Assert.Null(refusal);
        Assert.Equal(("medium", 1024, 3, "postgresql"), (create!.Request.FlavorId, create.Request.RamMb, create.Request.VolumeSize, create.Request.Datastore));
        var created = Assert.IsType<Created>(InstanceDecisions.Create(null, create, T0).Events[0]);
        Assert.Equal("src", created.ReplicaOf);
        Assert.DoesNotContain("s3cret-repl", System.Text.Json.JsonSerializer.Serialize(created));
    }

    [Fact]
    public void The_source_s_refusal_is_the_replica_s_answer()
    {
        var ask = new InstanceCommands.Create("r1", new InstanceRequest("demo", "replica", "", 0, 0, "", "", [], [], ReplicaOf: "src"));
        var (create, refusal) = ReplicationDecisions.AsReplica(ask, new InstanceReplies.NotFound("src"));
        Assert.Null(create);
        Assert.IsType<InstanceReplies.NotFound>(refusal);
    }

    [Fact]
    public void A_source_with_replicas_cannot_be_deleted_until_they_are_gone()
    {
        var source = InstanceState.Apply(Running(Requests.Postgres()), new ReplicaAttached("r1", T0));
        var delete = new InstanceCommands.Delete("src", source.TenantId);
        var refused = InstanceDecisions.Delete(source, delete, T0);
        Assert.Equal("Detach replicas before deleting replica source.", Assert.IsType<InstanceReplies.Forbidden>(refused.Reply).Message);
        Assert.Empty(refused.Events);

        var dropped = ReplicationDecisions.Dropped(source, "r1", T0);
        var alone = dropped.Events.Aggregate(source, InstanceState.Apply);
        Assert.Empty(alone.ReplicaIds);
        Assert.IsType<InstanceReplies.Accepted>(InstanceDecisions.Delete(alone, delete, T0).Reply);
        Assert.Empty(ReplicationDecisions.Dropped(alone, "r1", T0).Events); // a repeated drop (a retried delete) journals nothing
    }

    [Fact]
    public void Only_a_replica_is_detached_and_it_shows_detach_until_its_guest_and_source_are_done()
    {
        var standalone = Running(Requests.Postgres(), id: "r1");
        var notReplica = ReplicationDecisions.Detach(standalone, new InstanceCommands.DetachReplica("r1", standalone.TenantId), T0);
        Assert.Equal("Instance r1 is not a replica.", Assert.IsType<InstanceReplies.Invalid>(notReplica.Reply).Message);

        var replica = Running(Requests.Postgres(), id: "r1", replicaOf: "src");
        var detaching = ReplicationDecisions.Detach(replica, new InstanceCommands.DetachReplica("r1", replica.TenantId), T0).Events
            .Aggregate(replica, InstanceState.Apply);
        Assert.Equal(("DETACH", true), (detaching.Status, detaching.HasWork));
        Assert.IsType<InstanceReplies.Refused>(ReplicationDecisions.Detach(detaching, new InstanceCommands.DetachReplica("r1", replica.TenantId), T0).Reply);

        var detached = ReplicationDecisions.DetachFinished(detaching, null, T0).Events.Aggregate(detaching, InstanceState.Apply);
        Assert.Equal(("ACTIVE", (string?)null), (detached.Status, detached.ReplicaOf));
        var failed = ReplicationDecisions.DetachFinished(detaching, "the guest did not answer", T0).Events.Aggregate(detaching, InstanceState.Apply);
        Assert.Equal(("ACTIVE", "src"), (failed.Status, failed.ReplicaOf)); // still a replica: a detach may be asked again
    }

    private static InstanceState WithReplicas(params string[] replicas) =>
        replicas.Aggregate(Running(Requests.Postgres()), (s, r) => InstanceState.Apply(s, new ReplicaAttached(r, T0)));

    [Fact]
    public void Only_a_replica_is_promoted_and_its_source_shows_promote_once_it_took_the_switchover()
    {
        var standalone = Running(Requests.Postgres(), id: "r1");
        Assert.Equal("Instance r1 is not a replica.", Assert.IsType<InstanceReplies.Invalid>(
            ReplicationDecisions.CanPromote(standalone, new InstanceCommands.PromoteToReplicaSource("r1", standalone.TenantId))).Message);
        var replica = Running(Requests.Postgres(), id: "r1", replicaOf: "src");
        Assert.Null(ReplicationDecisions.CanPromote(replica, new InstanceCommands.PromoteToReplicaSource("r1", replica.TenantId)));

        var source = WithReplicas("r1", "r2");
        var notOurs = ReplicationDecisions.SwitchOver(source, new InstanceCommands.SwitchOver("src", source.TenantId, "r9"), T0);
        Assert.Equal(("Instance r9 is not a replica of src.", 0), (Assert.IsType<InstanceReplies.Invalid>(notOurs.Reply).Message, notOurs.Events.Count));
        var started = ReplicationDecisions.SwitchOver(source, new InstanceCommands.SwitchOver("src", source.TenantId, "r1", "u1"), T0);
        var promoting = started.Events.Aggregate(source, InstanceState.Apply);
        Assert.Equal(("PROMOTE", true, "u1"), (promoting.Status, promoting.HasWork, ((PromotionStarted)started.Events[0]).User));
        Assert.Equal(new Promotion.Step.Join(), promoting.Promotion!.Next("src"));
        Assert.IsType<InstanceReplies.Refused>(InstanceDecisions.Delete(promoting, new InstanceCommands.Delete("src", source.TenantId), T0).Reply);
        Assert.IsType<InstanceReplies.Refused>(
            ReplicationDecisions.SwitchOver(promoting, new InstanceCommands.SwitchOver("src", source.TenantId, "r2"), T0).Reply); // one at a time
    }

    [Fact]
    public void Eject_is_for_a_source_with_replicas_whose_guest_has_not_been_heard_of_for_the_heartbeat_expiry()
    {
        var expiry = TimeSpan.FromSeconds(30);
        var alone = Running(Requests.Postgres());
        Assert.Equal("Instance src is not a replica source.", Assert.IsType<InstanceReplies.Invalid>(
            ReplicationDecisions.Eject(alone, new InstanceCommands.EjectReplicaSource("src", alone.TenantId), T0, expiry, T0.AddMinutes(5)).Reply).Message);

        var source = WithReplicas("r1", "r2");
        var eject = new InstanceCommands.EjectReplicaSource("src", source.TenantId);
        Assert.Equal("Replica Source src cannot be ejected as it has a current heartbeat", Assert.IsType<InstanceReplies.Invalid>(
            ReplicationDecisions.Eject(source, eject, T0, expiry, T0.AddSeconds(29)).Reply).Message);
        var ejecting = ReplicationDecisions.Eject(source, eject, T0, expiry, T0.AddSeconds(30)).Events.Aggregate(source, InstanceState.Apply);
        Assert.Equal(("EJECT", Promotion.Kinds.Failover), (ejecting.Status, ejecting.Promotion!.Kind));
        // a failover chooses its candidate after every member joined, and leaves the old source out of the new set
        var joined = ejecting.Promotion.Apply(new PromotionMembersJoined(T0));
        Assert.Equal(new Promotion.Step.Choose(), joined.Next("src"));
        var chosen = joined.Apply(new PromotionCandidateChosen("r2", "0/5000000", T0));
        Assert.Equal(new Promotion.Step.Promote("r2"), chosen.Next("src"));
        Assert.Equal(["r1"], chosen.Followers("src"));
    }

    [Theory]
    [MemberData(nameof(ManagedDatastores))]
    public void A_replica_set_of_every_managed_datastore_switches_over_and_fails_over(string datastore)
    {
        var request = Requests.Postgres() with { Datastore = datastore };
        var replica = Running(request, id: "r1", replicaOf: "src");
        Assert.Null(ReplicationDecisions.CanPromote(replica, new InstanceCommands.PromoteToReplicaSource("r1", replica.TenantId)));
        var source = InstanceState.Apply(Running(request), new ReplicaAttached("r1", T0));
        var switchover = ReplicationDecisions.SwitchOver(source, new InstanceCommands.SwitchOver("src", source.TenantId, "r1"), T0);
        Assert.Equal("PROMOTE", switchover.Events.Aggregate(source, InstanceState.Apply).Status);
        var eject = ReplicationDecisions.Eject(source, new InstanceCommands.EjectReplicaSource("src", source.TenantId), T0, TimeSpan.FromSeconds(30), T0.AddMinutes(5));
        Assert.Equal("EJECT", eject.Events.Aggregate(source, InstanceState.Apply).Status);
    }

    [Fact]
    public void A_mariadb_switchover_promotes_once_the_source_is_fenced_at_a_gtid_position()
    {
        var promotion = new Promotion(Promotion.Kinds.Switchover, "r1", ["r1"]).Apply(new PromotionMembersJoined(T0));
        Assert.Equal(new Promotion.Step.Fence(), promotion.Next("src"));
        var fenced = promotion.Apply(new SourceFenced(null, T0, "0-7-42"));
        Assert.Equal((new Promotion.Step.Promote("r1"), "0-7-42"), (fenced.Next("src"), fenced.FencedAt()!.Gtid));
    }

    [Fact]
    public void A_member_joins_once_unless_busy_and_takes_its_place_only_from_the_source_it_joined()
    {
        var member = Running(Requests.Postgres(), id: "r1", replicaOf: "src");
        var joined = ReplicationDecisions.Join(member, new InstanceCommands.JoinPromotion("r1", "src", Promotion.Kinds.Switchover), T0).Events
            .Aggregate(member, InstanceState.Apply);
        Assert.Equal(("PROMOTE", "src", false), (joined.Status, joined.PromotedBy, joined.HasWork)); // the source runs it, not the member
        Assert.Empty(ReplicationDecisions.Join(joined, new InstanceCommands.JoinPromotion("r1", "src", Promotion.Kinds.Switchover), T0).Events);
        Assert.Empty(ReplicationDecisions.ChangeSet(joined, new InstanceCommands.ChangeReplicaSet("r1", "other", null, []), T0).Events);

        var changed = ReplicationDecisions.ChangeSet(joined, new InstanceCommands.ChangeReplicaSet("r1", "src", null, ["src"]), T0).Events
            .Aggregate(joined, InstanceState.Apply);
        Assert.Equal(("ACTIVE", (string?)null), (changed.Status, changed.ReplicaOf));
        Assert.Equal(["src"], changed.ReplicaIds);

        var busy = InstanceState.Apply(member, new RestartStarted(T0));
        Assert.IsType<InstanceReplies.Refused>(ReplicationDecisions.Join(busy, new InstanceCommands.JoinPromotion("r1", "src", Promotion.Kinds.Switchover), T0).Reply);
    }
}
