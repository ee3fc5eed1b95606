using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Trove.Actors.Backups;
using Trove.Actors.Instances;
using Trove.Actors.Tenants;
using Trove.Tests.Support;
using Trove.Contracts.Guests;
using static Trove.Actors.Backups.BackupCommands;

namespace Trove.Tests.Backups;

/// <summary>The backup entity owns its workflow with a real instance entity: it marks the instance, walks its parent
/// chain, and the instance is never left in BACKUP, also when the backup entity stops between two steps.</summary>
public class BackupWorkflowSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly BackupSettings Settings = new() { RetryDelay = TimeSpan.FromMilliseconds(300) };

    private readonly FakeCompute _compute = new();
    private readonly FakeGuestRpc _guests = new();
    private readonly ConcurrentDictionary<string, IActorRef> _backups = new();
    private readonly TestProbe _backupRegion;
    private IActorRef _instanceRoute = ActorRefs.Nobody;
    private readonly IActorRef _tenant;

    public BackupWorkflowSpec() : base(ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """))
    {
        _tenant = Sys.ActorOf(TenantActor.Props("demo", QuotaLimits.Unlimited));
        _backupRegion = CreateTestProbe();
        _backupRegion.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is IWithBackupId routed && _backups.TryGetValue(routed.BackupId, out var backup))
                backup.Tell(message, sender);
            return AutoPilot.KeepRunning;
        }));
    }

    /// <summary>An ACTIVE instance of <paramref name="datastore"/>.</summary>
    private IActorRef ActiveInstance(string id, string datastore = "postgresql")
    {
        var tenants = CreateTestProbe();
        tenants.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            sender.Tell(message is TenantCommands.ReserveInstance ? TenantReplies.Reserved.Instance : TenantReplies.Released.Instance);
            return AutoPilot.KeepRunning;
        }));
        var instance = Sys.ActorOf(InstanceActor.Props(id, _compute, _guests, tenants.Ref, new InstanceSettings()));
        instance.Tell(new InstanceCommands.Create(id, Requests.Postgres() with { Datastore = datastore }), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();
        AwaitAssert(() => Assert.NotNull(InstanceState(instance, id).ServerId));
        instance.Tell(new InstanceCommands.ReportHeartbeat(id, ServiceStatusNames.Healthy, DateTimeOffset.UtcNow), TestActor);
        ExpectMsg<InstanceReplies.HeartbeatAck>();
        _instanceRoute = instance;
        return instance;
    }

    private IActorRef Backup(string id, IActorRef? instances = null, BackupSettings? settings = null, IActorRef? tenants = null) =>
        _backups[id] = Sys.ActorOf(BackupActor.Props(id, _guests, instances ?? _instanceRoute, tenants ?? _tenant, () => _backupRegion.Ref,
            new NoBackupStorage(), settings ?? Settings));

    private int BackupsInUse() =>
        _tenant.Ask<TenantReplies.Quotas>(new TenantCommands.GetQuotas("demo"), RemainingOrDefault).Result.Usage.Backups;

    private void LimitBackupsTo(int limit)
    {
        _tenant.Tell(new TenantCommands.SetQuotas("demo", new Dictionary<string, int> { ["backups"] = limit }), TestActor);
        ExpectMsg<TenantReplies.Quotas>();
    }

    /// <summary>A route to the tenant that loses the answers to <typeparamref name="T"/> commands (the asker's node stopped),
    /// or, <paramref name="delivered"/> false, the commands themselves.</summary>
    private IActorRef Losing<T>(bool delivered = true, Action? lost = null)
    {
        var route = CreateTestProbe();
        route.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is T)
            {
                if (delivered)
                    _tenant.Tell(message, ActorRefs.NoSender);
                lost?.Invoke();
            }
            else
                _tenant.Tell(message, sender);
            return AutoPilot.KeepRunning;
        }));
        return route.Ref;
    }

    private InstanceState InstanceState(IActorRef instance, string id) =>
        Assert.IsType<InstanceReplies.Found>(instance.Ask<InstanceReply>(new InstanceCommands.Get(id, "demo"), RemainingOrDefault).Result).State;

    private BackupReply BackupReplyOf(IActorRef backup, string id) => backup.Ask<BackupReply>(new Get(id, "demo"), RemainingOrDefault).Result;

    private static Take TakeOf(string backupId, string instanceId, string? parentId = null) =>
        new(backupId, "demo", instanceId, "nightly", null, parentId);

    private IActorRef Crash(IActorRef backup, string id, IActorRef? instances = null, BackupSettings? settings = null)
    {
        Watch(backup);
        Sys.Stop(backup);
        ExpectTerminated(backup);
        return Backup(id, instances, settings);
    }

    private static Report Completed(string backupId, string instanceId) =>
        new(backupId, instanceId, BackupStatus.Completed, 1024, "abc", DateTimeOffset.UtcNow);

    [Fact]
    public void A_backup_marks_its_instance_and_the_instance_is_active_again_when_it_completes()
    {
        var instance = ActiveInstance("i1");
        var backup = Backup("b1");
        backup.Tell(TakeOf("b1", "i1"), TestActor);
        Assert.Equal(("postgresql", BackupStatus.New), (ExpectMsg<BackupReplies.Accepted>().State.Datastore, BackupStatus.New));
        Assert.Equal("BACKUP", InstanceState(instance, "i1").Status);
        AwaitAssert(() => Assert.Contains(_guests.Casts, c => c.Message.Method == GuestMethods.CreateBackup));

        backup.Tell(Completed("b1", "i1"), TestActor);
        ExpectMsg<BackupReplies.ReportAck>();
        AwaitAssert(() => Assert.Equal("ACTIVE", InstanceState(instance, "i1").Status));
    }

    [Fact]
    public void A_backup_the_instance_refuses_is_abandoned_and_shown_nowhere()
    {
        var instance = ActiveInstance("i2");
        Backup("b2").Tell(TakeOf("b2", "i2"), TestActor);
        ExpectMsg<BackupReplies.Accepted>();

        var second = Backup("b3");
        second.Tell(TakeOf("b3", "i2"), TestActor);
        Assert.Contains("already being backed up", ExpectMsg<BackupReplies.Conflict>().Message);
        Assert.IsType<BackupReplies.NotFound>(BackupReplyOf(second, "b3"));
        Assert.Equal("b2", InstanceState(instance, "i2").RunningBackupId);

        var noInstance = CreateTestProbe();
        noInstance.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            sender.Tell(new InstanceReplies.NotFound(((IWithInstanceId)message).InstanceId));
            return AutoPilot.KeepRunning;
        }));
        Backup("b4", noInstance.Ref).Tell(TakeOf("b4", "nope"), TestActor);
        ExpectMsg<BackupReplies.InstanceNotFound>();
    }

    [Fact]
    public void A_crash_after_the_backup_was_kept_but_before_the_instance_heard_of_it_marks_the_instance_on_recovery()
    {
        var instance = ActiveInstance("i3");
        // the first StartBackup is lost with the node; everything else reaches the instance
        var dropped = 0;
        var lossy = CreateTestProbe();
        lossy.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is not InstanceCommands.StartBackup || Interlocked.Increment(ref dropped) > 1)
                instance.Tell(message, sender);
            return AutoPilot.KeepRunning;
        }));
        var patient = Settings with { RetryDelay = TimeSpan.FromSeconds(5) }; // the crash comes before the lost ask times out
        var backup = Backup("b5", lossy.Ref, patient);
        backup.Tell(TakeOf("b5", "i3"), TestActor);
        AwaitCondition(() => dropped == 1);

        var recovered = Crash(backup, "b5", lossy.Ref, patient);
        AwaitAssert(() => Assert.Equal("BACKUP", InstanceState(instance, "i3").Status));
        AwaitAssert(() => Assert.Contains(_guests.Casts, c => c.Message.Method == GuestMethods.CreateBackup));
        recovered.Tell(Completed("b5", "i3"), TestActor);
        ExpectMsg<BackupReplies.ReportAck>();
        AwaitAssert(() => Assert.Equal("ACTIVE", InstanceState(instance, "i3").Status));
        Assert.Equal(BackupStatus.Completed, Assert.IsType<BackupReplies.Found>(BackupReplyOf(recovered, "b5")).State.Status);
    }

    [Fact]
    public void A_crash_while_the_guest_works_leaves_no_instance_in_backup_once_the_backup_ends_or_times_out()
    {
        var instance = ActiveInstance("i4");
        var backup = Backup("b6");
        backup.Tell(TakeOf("b6", "i4"), TestActor);
        ExpectMsg<BackupReplies.Accepted>();
        Assert.Equal("BACKUP", InstanceState(instance, "i4").Status);

        // the guest never reports: after the crash the recovered backup times out, and the instance hears its end
        Crash(backup, "b6", settings: Settings with { Timeout = TimeSpan.FromMilliseconds(500) });
        AwaitAssert(() => Assert.Equal("ACTIVE", InstanceState(instance, "i4").Status), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void An_increment_walks_its_parent_chain_in_the_entities_and_refuses_a_parent_not_completed_or_of_another_instance()
    {
        var instance = ActiveInstance("i5", "mariadb");
        var full = Backup("f1");
        full.Tell(TakeOf("f1", "i5"), TestActor);
        ExpectMsg<BackupReplies.Accepted>();

        var early = Backup("x1");
        early.Tell(TakeOf("x1", "i5", parentId: "f1"), TestActor);
        Assert.Contains("only a COMPLETED backup", ExpectMsg<BackupReplies.Conflict>().Message);

        full.Tell(Completed("f1", "i5"), TestActor);
        ExpectMsg<BackupReplies.ReportAck>();
        AwaitAssert(() => Assert.Equal("ACTIVE", InstanceState(instance, "i5").Status));

        var increment = Backup("inc1");
        increment.Tell(TakeOf("inc1", "i5", parentId: "f1"), TestActor);
        Assert.Equal("f1", ExpectMsg<BackupReplies.Accepted>().State.Parent?.Id);
        increment.Tell(Completed("inc1", "i5"), TestActor);
        ExpectMsg<BackupReplies.ReportAck>();

        increment.Tell(new GetChain("inc1", "demo"), TestActor);
        var chain = ExpectMsg<BackupReplies.Chain>();
        Assert.Equal(["f1", "inc1"], chain.Info.Chain().Select(b => b.Id));
        Assert.Equal(["/backups/f1.tar.gz", "/backups/inc1.tar.gz"], chain.Info.Chain().Select(b => b.Location));

        increment.Tell(new GetChain("inc1", "other-tenant"), TestActor);
        ExpectMsg<BackupReplies.NotFound>();
    }

    [Fact]
    public void A_backup_over_the_tenants_quota_is_refused_and_kept_nowhere_and_a_deleted_one_gives_its_quota_back()
    {
        ActiveInstance("q1");
        LimitBackupsTo(1);
        var first = Backup("qb1");
        first.Tell(TakeOf("qb1", "q1"), TestActor);
        ExpectMsg<BackupReplies.Accepted>();
        first.Tell(Completed("qb1", "q1"), TestActor);
        ExpectMsg<BackupReplies.ReportAck>();
        AwaitAssert(() => Assert.Equal("ACTIVE", InstanceState(_instanceRoute, "q1").Status));
        Assert.Equal(1, BackupsInUse());

        var over = Backup("qb2");
        over.Tell(TakeOf("qb2", "q1"), TestActor);
        Assert.Equal("Quota exceeded for resources: ['backups'].", ExpectMsg<BackupReplies.QuotaExceeded>().Message);
        Assert.IsType<BackupReplies.NotFound>(BackupReplyOf(over, "qb2"));
        Assert.Equal("ACTIVE", InstanceState(_instanceRoute, "q1").Status);
        Assert.Equal(1, BackupsInUse());

        first.Tell(new Delete("qb1", "demo"), TestActor);
        ExpectMsg<BackupReplies.Accepted>();
        AwaitAssert(() => Assert.Equal(0, BackupsInUse()));
        var again = Backup("qb3");
        again.Tell(TakeOf("qb3", "q1"), TestActor);
        ExpectMsg<BackupReplies.Accepted>();
        Assert.Equal(1, BackupsInUse());
    }

    [Fact]
    public void A_crash_after_the_tenant_granted_the_quota_takes_it_once_and_a_crash_before_it_gave_it_back_gives_it_back_on_recovery()
    {
        ActiveInstance("q2");
        var lost = 0;
        var backup = Backup("qb4", tenants: Losing<TenantCommands.ReserveBackup>(lost: () => Interlocked.Increment(ref lost)),
            settings: Settings with { RetryDelay = TimeSpan.FromSeconds(5) });
        backup.Tell(TakeOf("qb4", "q2"), TestActor);
        AwaitCondition(() => lost == 1);
        AwaitAssert(() => Assert.Equal(1, BackupsInUse()));

        // recovered, the backup asks the tenant again: the same backup takes nothing more, and goes on to its guest
        var recovered = Crash(backup, "qb4");
        AwaitAssert(() => Assert.Equal("BACKUP", InstanceState(_instanceRoute, "q2").Status));
        recovered.Tell(Completed("qb4", "q2"), TestActor);
        ExpectMsg<BackupReplies.ReportAck>();
        Assert.Equal(1, BackupsInUse());
        AwaitAssert(() => Assert.Equal("ACTIVE", InstanceState(_instanceRoute, "q2").Status));

        // deleted, the release is lost with the node: recovered, the backup gives its quota back
        Watch(recovered);
        Sys.Stop(recovered);
        ExpectTerminated(recovered);
        var deleting = Backup("qb4", tenants: Losing<TenantCommands.ReleaseBackup>(delivered: false),
            settings: Settings with { RetryDelay = TimeSpan.FromSeconds(30) });
        deleting.Tell(new Delete("qb4", "demo"), TestActor);
        ExpectMsg<BackupReplies.Accepted>();
        Assert.Equal(1, BackupsInUse());
        Crash(deleting, "qb4");
        AwaitAssert(() => Assert.Equal(0, BackupsInUse()));
    }

    /// <summary>Takes a backup of the instance and (unless <paramref name="complete"/> is false) completes it.</summary>
    private IActorRef Taken(string id, string instanceId, string? parentId = null, bool complete = true)
    {
        var backup = Backup(id);
        backup.Tell(TakeOf(id, instanceId, parentId), TestActor);
        ExpectMsg<BackupReplies.Accepted>();
        if (!complete)
            return backup;
        backup.Tell(Completed(id, instanceId), TestActor);
        ExpectMsg<BackupReplies.ReportAck>();
        AwaitAssert(() => Assert.Equal("ACTIVE", InstanceState(_instanceRoute, instanceId).Status));
        return backup;
    }

    [Fact]
    public void Deleting_a_backup_deletes_every_increment_below_it_and_none_while_one_is_still_running()
    {
        ActiveInstance("c1", "mariadb");
        var full = Taken("cf", "c1");
        var increment = Taken("ci1", "c1", parentId: "cf");
        var other = Taken("cx", "c1");
        var running = Taken("ci2", "c1", parentId: "ci1", complete: false);
        Assert.Equal(4, BackupsInUse());

        full.Tell(new Delete("cf", "demo"), TestActor);
        Assert.Contains("ci2 that is still NEW", ExpectMsg<BackupReplies.Refused>().Message);
        foreach (var (backup, id) in new[] { (full, "cf"), (increment, "ci1"), (running, "ci2") })
            Assert.IsType<BackupReplies.Found>(BackupReplyOf(backup, id));
        Assert.Empty(NoBackupStorage.Deleted.Where(l => l.Contains("/c")));

        running.Tell(Completed("ci2", "c1"), TestActor);
        ExpectMsg<BackupReplies.ReportAck>();
        full.Tell(new Delete("cf", "demo"), TestActor);
        ExpectMsg<BackupReplies.Accepted>();
        foreach (var (backup, id) in new[] { (full, "cf"), (increment, "ci1"), (running, "ci2") })
            Assert.IsType<BackupReplies.NotFound>(BackupReplyOf(backup, id));
        Assert.Equal(["/backups/ci2.tar.gz", "/backups/ci1.tar.gz", "/backups/cf.tar.gz"], NoBackupStorage.Deleted.Where(l => l.Contains("/c")));
        Assert.IsType<BackupReplies.Found>(BackupReplyOf(other, "cx"));
        AwaitAssert(() => Assert.Equal(1, BackupsInUse()));
    }
}
